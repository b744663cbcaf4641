from flowtui.sandbox.storehub.run import main

main()
