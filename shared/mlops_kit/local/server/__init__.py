"""The local AWS server: the app both servers run, the machine's detached server, one in a thread for tests."""
