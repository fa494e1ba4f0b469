from neckcheck.cli.commands import main

main()
