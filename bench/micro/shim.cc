// shim.cc - registers the C bodies of bench/micro (micro.h) with Google
// Benchmark, and speaks the bench/ protocol: `micro [-m MODE] [-t THREADS]
// [benchmark flags...]`, ending with the RESULT line of bench.h.
//
// The mode sets --benchmark_min_time unless one is given; -t is the thread
// count of the entries that run in every thread at once.  Each case also
// reports its minor faults per operation (counter "minflt") and fails
// (SkipWithError) when its bytes were damaged.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

extern "C" {
#include "bench.h"
#include "micro.h"
}

namespace {

std::atomic<unsigned long long> total_ops{0};

const micro_bench *const tables[] = {
	micro_pairs, micro_batches, micro_calloc,
	micro_realloc, micro_aligned, micro_xthread,
};

void run_case(benchmark::State &st, const micro_bench *b)
{
	long arg = st.range(0);
	bool first = st.thread_index() == 0;

	if (first && b->setup)
		b->setup(arg);
	uint64_t errors = bench_errors();
	long flt = proc_minflt();
	while (st.KeepRunningBatch(b->batch))
		b->run(arg, b->batch);
	flt = proc_minflt() - flt;
	if (first && b->teardown)
		b->teardown(arg);
	bench_flush_counters();
	if (bench_errors() != errors)
		st.SkipWithError("damaged bytes (see stderr)");
	st.counters["minflt"] = benchmark::Counter(
		static_cast<double>(flt), benchmark::Counter::kAvgIterations);
	total_ops += static_cast<unsigned long long>(st.iterations());
}

void register_all(int threads)
{
	for (const micro_bench *t : tables)
		for (const micro_bench *b = t; b->name; b++) {
			auto *r = benchmark::RegisterBenchmark(b->name, run_case, b);
			for (const long *a = b->args; *a; a++)
				r->Arg(*a);
			if (b->all_threads)
				r->Threads(threads);
			r->UseRealTime();
		}
}

const char *min_time_for(enum bench_mode m)
{
	return m == MODE_SMOKE ? "--benchmark_min_time=0.0005"
	     : m == MODE_QUICK ? "--benchmark_min_time=0.05"
			       : "--benchmark_min_time=0.5";
}

void usage()
{
	std::fprintf(stderr,
		     "usage: micro [-m smoke|quick|full] [-t THREADS] "
		     "[--benchmark_...]\n");
	std::exit(2);
}

}  // namespace

int main(int argc, char **argv)
{
	struct bench_opts o;
	std::vector<char *> rest{argv[0]};
	std::vector<char *> ours{argv[0]};
	bool has_min_time = false;
	std::string mt;

	// Split our options from Google Benchmark's before either parses.
	for (int i = 1; i < argc; i++) {
		if (std::strncmp(argv[i], "--benchmark_", 12) == 0) {
			has_min_time |= std::strncmp(argv[i], "--benchmark_min_time", 20) == 0;
			rest.push_back(argv[i]);
		} else if ((!std::strcmp(argv[i], "-m") || !std::strcmp(argv[i], "-t"))
			   && i + 1 < argc) {
			ours.push_back(argv[i]);
			ours.push_back(argv[++i]);
		} else {
			usage();
		}
	}
	bench_init(&o, "micro", static_cast<int>(ours.size()), ours.data());
	if (!has_min_time) {
		mt = min_time_for(o.mode);
		rest.push_back(&mt[0]);
	}
	rest.push_back(nullptr);
	int n = static_cast<int>(rest.size()) - 1;

	register_all(o.threads);
	benchmark::Initialize(&n, rest.data());
	if (benchmark::ReportUnrecognizedArguments(n, rest.data()))
		return 2;
	double t0 = bench_now();
	benchmark::RunSpecifiedBenchmarks();
	double secs = bench_now() - t0;
	benchmark::Shutdown();
	return bench_report(&o, total_ops.load(), secs, nullptr);
}
