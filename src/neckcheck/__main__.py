# `python -m neckcheck`: a Ctrl-C while the entry module itself is imported ends the program as
# neckcheck.cli.entry would (exit 130), before its own handling is in place.
try:
    from neckcheck.cli.entry import main
except KeyboardInterrupt:
    raise SystemExit(130) from None

main()
