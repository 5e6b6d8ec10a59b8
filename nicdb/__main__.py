from nicdb.cli import main

main()
