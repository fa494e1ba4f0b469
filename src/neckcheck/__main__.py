from neckcheck.entry import main

main()
