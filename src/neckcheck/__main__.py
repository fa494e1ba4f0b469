from neckcheck.cli import main

main()
