module mheap/native_bench

go 1.19
