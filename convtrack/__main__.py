from convtrack.cli import main

main()
