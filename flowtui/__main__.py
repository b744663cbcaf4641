from flowtui.cli import main

main()
