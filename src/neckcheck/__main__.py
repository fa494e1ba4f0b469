from neckcheck.cli.entry import main

main()
