// A Go app without go.mod: kctl detects it from its source bytes and runs `go mod init`.
package main

import (
	"fmt"
	"net/http"
)

func main() {
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) { fmt.Fprintln(w, "hello from go without a module") })
	_ = http.ListenAndServe(":8080", nil)
}
