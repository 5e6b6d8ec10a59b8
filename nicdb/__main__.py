from nicdb.console import main

main()
