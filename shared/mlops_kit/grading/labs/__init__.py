"""One module per lab (`lab0`, `lab1`, ...), each defining that lab's checks with `@graded`."""
