"""Settlements: the card and e-wallet money that reaches the bank, matched to the days it was sold.

``model`` holds the words the parts share: what a statement or payout file says (``formats``), what the books
hold open in a clearing account, and what matching proposes (``matching``). Storage, booking and the commands
build on them.
"""
