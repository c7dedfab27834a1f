from coopdocs.cli import main

main()
