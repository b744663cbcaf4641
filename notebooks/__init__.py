"""The notebooks, installed as ``flowtui.notebooks`` so `flowtui notebook` can copy them out of a wheel."""
