from phytowatch.cli import main

main()
