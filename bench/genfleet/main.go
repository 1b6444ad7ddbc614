// Command genfleet writes the config of a benchmark fleet:
//
//	genfleet -clusters 100 [-components 54] > dorgu.cue
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/dorgu/dorgu-gen/bench/fleet"
)

func main() {
	n := flag.Int("clusters", 1, "number of clusters")
	extra := flag.Int("components", 0, "generated components on top of the six blessed ones")
	flag.Parse()
	if *n < 1 || *extra < 0 || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: genfleet -clusters N [-components M] > dorgu.cue")
		os.Exit(2)
	}
	os.Stdout.Write(fleet.Config(*n, *extra))
}
