from flowtui.sandbox.shopify.run import main

main()
