module example.invalid/go-server

go 1.19
