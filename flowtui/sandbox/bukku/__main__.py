from flowtui.sandbox.bukku.run import main

main()
