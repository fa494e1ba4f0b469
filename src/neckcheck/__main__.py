from neckcheck.cli.console import main

main()
