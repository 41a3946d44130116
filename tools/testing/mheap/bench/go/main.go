// SPDX-License-Identifier: GPL-2.0

// Command nativebench measures Go's own allocator for the rows of the
// native benchmark (native_bench.c) where Go has a counterpart: the
// allocation rows as testing.B benchmarks, the mark+sweep rows as
// runtime.GC() over the same objects.  It prints the same CSV lines:
//
//	run,<figure>,<param>,go,<ns per op>,<b.N>,,
//
// Go has no free: an "alloc+free" pair is one allocation whose object is
// dropped at once, so that its figure includes Go's zeroing and its share
// of the collections that allocating triggers.  Times are CPU time of the
// process (every thread: the collector's workers too), as in the C rows;
// the one-thread rows run with GOMAXPROCS=1, the two-goroutine rows with 2
// and wall time.
package main

import (
	"flag"
	"fmt"
	"os"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

var (
	minMs   = flag.Int("m", 20, "shortest timed run, ms")
	burst   = flag.Int("b", 10000, "objects per burst")
	gcMiB   = flag.Int("g", 32, "MiB of objects per mark+sweep run")
	gcRuns  = flag.Int("r", 5, "runs of each mark+sweep row (median)")
	only    = flag.String("o", "", "only the rows whose figure contains this")
	verbose = flag.Bool("v", false, "also print testing.B's wall time per op")
)

// Written by every benchmark so that no allocation is optimised away.
var sink []byte

// cpuNs is the CPU time of the whole process.
func cpuNs() int64 {
	var ts syscall.Timespec
	// CLOCK_PROCESS_CPUTIME_ID is 2.
	_, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 2,
		uintptr(unsafe.Pointer(&ts)), 0)
	if e != 0 {
		panic(e)
	}
	return ts.Nano()
}

// bench runs f as a testing.B benchmark and reports the CPU time per op
// of its last (reported) round, or with wall set its wall time per op
// (testing.B's own figure).
func bench(fig string, param int, wall bool, f func(b *testing.B)) {
	if *only != "" && !strings.Contains(fig, *only) {
		return
	}
	var lastN int
	var lastNs int64
	res := testing.Benchmark(func(b *testing.B) {
		runtime.GC()
		t0 := cpuNs()
		b.ResetTimer()
		f(b)
		b.StopTimer()
		lastN, lastNs = b.N, cpuNs()-t0
	})
	if lastN == 0 || res.N != lastN {
		fmt.Printf("err,%s,%d,go,no result\n", fig, param)
		return
	}
	if wall {
		lastNs = res.T.Nanoseconds()
	}
	fmt.Printf("run,%s,%d,go,%.4f,%d,,\n", fig, param,
		float64(lastNs)/float64(lastN), lastN)
	if *verbose {
		fmt.Fprintf(os.Stderr, "%s %d: wall %d ns/op, cpu %.1f ns/op\n",
			fig, param, res.NsPerOp(),
			float64(lastNs)/float64(lastN))
	}
}

func pair(size int) func(b *testing.B) {
	return func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			sink = make([]byte, size)
		}
	}
}

// Steady state of a burst: each allocation replaces the oldest of the
// last `burst` objects, which the collector then frees.
func burstAlloc(size int) func(b *testing.B) {
	return func(b *testing.B) {
		vec := make([][]byte, *burst)
		for i := 0; i < b.N; i++ {
			vec[i%len(vec)] = make([]byte, size)
		}
		runtime.KeepAlive(vec)
	}
}

// Both goroutines allocate at once; wall time per allocation of one of
// them, as the C rows.
func concurrent(size int) func(b *testing.B) {
	return func(b *testing.B) {
		done := make(chan []byte, 2)
		for g := 0; g < 2; g++ {
			go func() {
				var s []byte
				for i := 0; i < b.N; i++ {
					s = make([]byte, size)
				}
				done <- s
			}()
		}
		sink = <-done
		sink = <-done
	}
}

type obj64 [64]byte
type obj1k [1024]byte

// markSweep fills gcMiB of objects, drops 100-keep% of them and times one
// runtime.GC(), which marks what is left and sweeps every span; per
// object freed, median of gcRuns runs.
func markSweep(fig string, size, keep int) {
	if *only != "" && !strings.Contains(fig, *only) {
		return
	}
	n := *gcMiB << 20 / size
	var v []int64
	for r := 0; r < *gcRuns; r++ {
		var p64 []*obj64
		var p1k []*obj1k
		if size == 64 {
			p64 = make([]*obj64, n)
			for i := range p64 {
				p64[i] = new(obj64)
			}
		} else {
			p1k = make([]*obj1k, n)
			for i := range p1k {
				p1k[i] = new(obj1k)
			}
		}
		freed := 0
		for i := 0; i < n; i++ {
			if (i+1)*keep/100 == i*keep/100 {
				if p64 != nil {
					p64[i] = nil
				} else {
					p1k[i] = nil
				}
				freed++
			}
		}
		t0 := cpuNs()
		runtime.GC()
		v = append(v, (cpuNs()-t0)*1000/int64(freed))
		runtime.KeepAlive(p64)
		runtime.KeepAlive(p1k)
		p64, p1k = nil, nil
		runtime.GC()
	}
	sort.Slice(v, func(i, j int) bool { return v[i] < v[j] })
	fmt.Printf("run,%s,%d,go,%.4f,%d,,\n", fig, size,
		float64(v[len(v)/2])/1000, *gcRuns)
}

func main() {
	testing.Init()
	flag.Parse()
	if err := flag.Set("test.benchtime",
		(time.Duration(*minMs) * time.Millisecond).String()); err != nil {
		panic(err)
	}
	t0 := time.Now()
	fmt.Printf("info,version,go,%s\n", strings.TrimPrefix(runtime.Version(), "go"))
	fmt.Printf("info,go_gogc,%s\n", os.Getenv("GOGC"))

	runtime.GOMAXPROCS(1)
	for _, s := range []int{8, 16, 32, 64, 128, 256, 512, 1024, 2048,
		4096, 8192, 16384, 32768} {
		bench("pair", s, false, pair(s))
	}
	for _, s := range []int{8, 64, 512, 4096, 32768} {
		bench("burst-alloc", s, false, burstAlloc(s))
	}
	runtime.GOMAXPROCS(2)
	for _, s := range []int{64, 512, 4096} {
		bench("concurrent", s, true, concurrent(s))
	}
	runtime.GOMAXPROCS(1)
	for _, s := range []int{64, 1024} {
		markSweep("gc-mark50", s, 50)
		markSweep("gc-mark0", s, 0)
	}
	fmt.Printf("info,elapsed_ms,go,%d\n", time.Since(t0).Milliseconds())
}
