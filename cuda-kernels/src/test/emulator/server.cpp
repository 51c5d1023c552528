// cuda-emu: runs the kernels of src/main/cuda on the CPU for the GPU tests, behind the binary protocol of
// README.md (requests on stdin, replies on stdout). Device memory is host memory with guard zones; a launch
// runs its blocks one after another on this one OS thread, the threads of a block as ucontext fibers that
// meet at __syncthreads and the warp intrinsics, resumed in a seeded random order at every barrier round.
#include <csetjmp>
#include <csignal>
#include <map>
#include <string>
#include <sys/mman.h>
#include <ucontext.h>
#include <unistd.h>
#include <unordered_map>
#include <vector>

#include "emu.h"

uint3 threadIdx, blockIdx;
dim3 blockDim, gridDim;

// The generated table of the built families (build.sh: families.cpp).
extern const emu::Family* const emu_families[];
extern const int emu_family_count;

namespace emu {
char* dyn_smem_ptr;
unsigned dyn_smem_bytes;

namespace {
constexpr size_t STACK_BYTES = 64 * 1024;    // per fiber, plus STACK_GUARD bytes of PROT_NONE below it
constexpr size_t STACK_GUARD = 64 * 1024;
constexpr size_t GUARD = 1024;               // guard zone before and after every allocation
constexpr uint32_t CANARY = 0x7ff1c0deu;     // the guards' bytes: a NaN as float (and as double), a huge int
constexpr uint32_t SHARED_POISON = 0x7fc00000u;  // unwritten shared memory: the canonical float NaN
constexpr unsigned MAX_THREADS = 1024;
constexpr unsigned MAX_SHARED = 48 * 1024;

// ---- fibers ------------------------------------------------------------------------------------------------
struct Fiber {
    ucontext_t ctx;
    char* mem;  // STACK_GUARD + stack
};

enum State : uint8_t { NEW, READY, RUNNING, AT_BARRIER, AT_WARP, DONE };

struct Thread {
    uint3 tid;
    State state;
    Fiber* fiber;
    // the pending barrier or warp operation and its result
    int op;
    unsigned mask;
    uint64_t value;
    int arg;
    int width;
    uint64_t result;
};

Thread threads[MAX_THREADS];
int warp_waiting[MAX_THREADS / 32];  // lanes of each warp at a warp intrinsic
int nthreads, live, at_barrier;
std::vector<int> queue, next_queue;  // this barrier round's order, and the threads released for the next
size_t qpos;
int current = -1;                    // the running thread
uint64_t rng;
ucontext_t sched_ctx;                // the scheduler's (main stack) context
std::vector<Fiber*> fibers, free_fibers;
Fiber* handed;                       // the fiber dispatch() is starting
bool failed;
std::string failure;
void (*body_fn)(void*);
void* body_ctx;

uint64_t splitmix(uint64_t& s) {
    uint64_t z = (s += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void shuffle(std::vector<int>& v) {
    for (size_t i = v.size(); i > 1; i--) std::swap(v[i - 1], v[splitmix(rng) % i]);
}

void runner();

void init_fiber(Fiber* f) {
    getcontext(&f->ctx);
    f->ctx.uc_stack.ss_sp = f->mem + STACK_GUARD;
    f->ctx.uc_stack.ss_size = STACK_BYTES;
    f->ctx.uc_link = nullptr;
    makecontext(&f->ctx, runner, 0);
}

Fiber* acquire_fiber() {
    if (!free_fibers.empty()) {
        Fiber* f = free_fibers.back();
        free_fibers.pop_back();
        return f;
    }
    auto* f = new Fiber;
    f->mem = static_cast<char*>(mmap(nullptr, STACK_GUARD + STACK_BYTES, PROT_READ | PROT_WRITE,
                                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0));
    if (f->mem == MAP_FAILED) {
        perror("cuda-emu: mmap of a fiber stack");
        std::exit(3);
    }
    mprotect(f->mem, STACK_GUARD, PROT_NONE);
    init_fiber(f);
    fibers.push_back(f);
    return f;
}

// After a failed launch every fiber starts afresh (the abandoned stacks are simply reused).
void reset_fibers() {
    free_fibers.clear();
    for (Fiber* f : fibers) {
        init_fiber(f);
        free_fibers.push_back(f);
    }
}

void set_current(int t) {
    current = t;
    threadIdx = threads[t].tid;
}

// Passes control from `from` (a fiber, or the scheduler starting a block) straight to what runs next: the
// round's next thread (a suspended thread's fiber, or a free fiber that starts new threads), else the
// first of the next round (in a fresh random order), else back to the scheduler (block done, or deadlock).
// Returns when `from` is resumed.
void dispatch(ucontext_t* from) {
    for (;;) {
        if (qpos < queue.size()) {
            int t = queue[qpos];
            if (threads[t].state == NEW) {
                handed = acquire_fiber();
                swapcontext(from, &handed->ctx);
            } else {
                qpos++;
                threads[t].state = RUNNING;
                set_current(t);
                swapcontext(from, &threads[t].fiber->ctx);
            }
            return;
        }
        if (next_queue.empty()) {
            swapcontext(from, &sched_ctx);
            return;
        }
        shuffle(next_queue);
        std::swap(queue, next_queue);
        next_queue.clear();
        qpos = 0;
    }
}

// The running thread waits (at a barrier or a warp intrinsic); returns when it is resumed.
void suspend() { dispatch(&threads[current].fiber->ctx); }

// Ends the launch with an error (called on a fiber; never returns).
[[noreturn]] void fail(std::string message) {
    failed = true;
    failure = std::move(message);
    Fiber* f = current >= 0 ? threads[current].fiber : nullptr;
    if (f) swapcontext(&f->ctx, &sched_ctx);
    std::abort();  // not reached
}

std::string dim_str(uint3 d) {
    return "(" + std::to_string(d.x) + "," + std::to_string(d.y) + "," + std::to_string(d.z) + ")";
}

std::string hex(uint64_t v) {
    char b[32];
    std::snprintf(b, sizeof b, "0x%llx", (unsigned long long) v);
    return b;
}

// ---- __syncthreads ---------------------------------------------------------------------------------------
void release_barrier() {
    int count = 0;
    for (int t = 0; t < nthreads; t++) {
        if (threads[t].state == AT_BARRIER && threads[t].value) count++;
    }
    for (int t = 0; t < nthreads; t++) {
        Thread& th = threads[t];
        if (th.state != AT_BARRIER) continue;
        switch (th.op) {
            case SYNC_COUNT: th.result = count; break;
            case SYNC_AND: th.result = count == at_barrier; break;
            case SYNC_OR: th.result = count > 0; break;
            default: th.result = 0; break;
        }
        th.state = READY;
        next_queue.push_back(t);
    }
    at_barrier = 0;
}

// ---- warp intrinsics ------------------------------------------------------------------------------------------
const char* op_name(int op) {
    static const char* names[] = {"__shfl_sync", "__shfl_up_sync", "__shfl_down_sync", "__shfl_xor_sync",
                                  "__ballot_sync", "__any_sync", "__all_sync", "__activemask", "__syncwarp"};
    return op >= 0 && op <= SYNCWARP ? names[op] : "?";
}

// Completes every operation of warp w whose lanes (the live lanes of its mask) have all arrived.
void try_warp(int w) {
    int base = w * 32, lanes = std::min(32, nthreads - base);
    unsigned exist = lanes == 32 ? 0xffffffffu : (1u << lanes) - 1;
    unsigned waiting = 0, done = ~exist;
    for (int l = 0; l < lanes; l++) {
        State s = threads[base + l].state;
        if (s == AT_WARP) waiting |= 1u << l;
        if (s == DONE) done |= 1u << l;
    }
    unsigned seen = 0;
    for (int l = 0; l < lanes; l++) {
        unsigned bit = 1u << l;
        if (!(waiting & bit) || (seen & bit)) continue;
        const Thread& first = threads[base + l];
        unsigned mask = first.mask;
        seen |= mask | bit;
        if (mask & ~(waiting | done)) continue;  // a live lane of the mask has not arrived yet
        unsigned group = mask & waiting;
        for (int j = 0; j < lanes; j++) {
            if (!(group & (1u << j))) continue;
            const Thread& o = threads[base + j];
            if (o.op != first.op || o.mask != mask) {
                fail("warp " + std::to_string(w) + ": lane " + std::to_string(l) + " is at " + op_name(first.op) +
                     " with mask " + hex(mask) + " while lane " + std::to_string(j) + " is at " + op_name(o.op) +
                     " with mask " + hex(o.mask));
            }
        }
        uint64_t ballot = 0;
        for (int j = 0; j < lanes; j++) {
            if ((group & (1u << j)) && threads[base + j].value) ballot |= 1ull << j;
        }
        for (int j = 0; j < lanes; j++) {
            if (!(group & (1u << j))) continue;
            Thread& th = threads[base + j];
            int width = th.width;
            if (width < 1 || width > 32 || (width & (width - 1))) {
                fail(std::string(op_name(th.op)) + " with width " + std::to_string(width) +
                     " (a power of 2 up to 32)");
            }
            int seg = j & ~(width - 1), src = j, b = th.arg & 31;
            switch (th.op) {
                case SHFL_IDX: src = seg + (th.arg & (width - 1)); break;
                case SHFL_UP: src = j - b < seg ? j : j - b; break;
                case SHFL_DOWN: src = j + b >= seg + width ? j : j + b; break;
                case SHFL_XOR: src = (j ^ b) >= seg + width ? j : j ^ b; break;
                default: break;
            }
            switch (th.op) {
                case SHFL_IDX:
                case SHFL_UP:
                case SHFL_DOWN:
                case SHFL_XOR:
                    // Reading a lane that did not take part (exited, or outside the mask) is undefined: NaN bits.
                    th.result = src == j ? th.value
                              : (group >> src) & 1 ? threads[base + src].value
                              : (uint64_t) SHARED_POISON << 32 | SHARED_POISON;
                    break;
                case BALLOT: th.result = ballot; break;
                case ANY: th.result = ballot != 0; break;
                case ALL: th.result = ballot == group; break;
                case ACTIVEMASK: th.result = group; break;
                default: th.result = 0; break;
            }
        }
        for (int j = 0; j < lanes; j++) {
            if (!(group & (1u << j))) continue;
            threads[base + j].state = READY;
            next_queue.push_back(base + j);
            warp_waiting[w]--;
        }
    }
}

void thread_exit(int t) {
    threads[t].state = DONE;
    live--;
    if (at_barrier > 0 && at_barrier == live) release_barrier();
    if (warp_waiting[t >> 5]) try_warp(t >> 5);  // its lanes no longer wait for this one
}

// A fiber's life: it starts the round's next threads while they are new ones (a thread that never waits
// costs no context switch), then frees itself and passes control on. Its thread, if one is waiting, keeps
// the fiber until it returns.
void runner() {
    Fiber* self = handed;
    for (;;) {
        while (qpos < queue.size() && threads[queue[qpos]].state == NEW) {
            int t = queue[qpos++];
            threads[t].fiber = self;
            threads[t].state = RUNNING;
            set_current(t);
            body_fn(body_ctx);
            thread_exit(t);
        }
        free_fibers.push_back(self);
        current = -1;
        dispatch(&self->ctx);  // resumed when handed new threads again
    }
}

std::string deadlock_message() {
    int barrier = 0, warp = 0, firstWarp = -1;
    for (int t = 0; t < nthreads; t++) {
        if (threads[t].state == AT_BARRIER) barrier++;
        if (threads[t].state == AT_WARP) {
            warp++;
            if (firstWarp < 0) firstWarp = t;
        }
    }
    std::string m = "deadlock: " + std::to_string(barrier) + " threads wait at __syncthreads and " +
                    std::to_string(warp) + " at warp intrinsics";
    if (firstWarp >= 0) {
        const Thread& th = threads[firstWarp];
        m += " (thread " + dim_str(th.tid) + " at " + op_name(th.op) + " with mask " + hex(th.mask) + ")";
    }
    return m;
}

// Runs every thread of the current block; "" or the error.
std::string run_block() {
    for (int t = 0; t < nthreads; t++) {
        Thread& th = threads[t];
        th.tid = {(unsigned) t % blockDim.x, (unsigned) t / blockDim.x % blockDim.y,
                  (unsigned) t / (blockDim.x * blockDim.y)};
        th.state = NEW;
        th.fiber = nullptr;
    }
    live = nthreads;
    at_barrier = 0;
    std::fill(std::begin(warp_waiting), std::end(warp_waiting), 0);
    queue.resize(nthreads);
    for (int t = 0; t < nthreads; t++) queue[t] = t;
    shuffle(queue);
    next_queue.clear();
    qpos = 0;
    dispatch(&sched_ctx);  // back when the block is done, failed or deadlocked
    if (failed) {
        std::string where = current >= 0 ? " thread " + dim_str(threads[current].tid) : "";
        current = -1;
        return where + ": " + failure;
    }
    current = -1;
    return live == 0 ? "" : ": " + deadlock_message();
}

// ---- the launch ------------------------------------------------------------------------------------------
alignas(256) char dyn_buffer[MAX_SHARED + GUARD];
char poison_words[64 * 1024];  // SHARED_POISON repeated
sigjmp_buf fault_jump;
volatile sig_atomic_t in_kernel;
volatile int fault_signal;
void* volatile fault_address;
const Family* launch_family;
uint64_t launch_seed;

void poison(char* p, size_t n) {
    // byte i of the region gets byte (address % 4) of the word, so that aligned words read SHARED_POISON
    while (n > 0) {
        size_t phase = reinterpret_cast<uintptr_t>(p) & 3, k = std::min(n, sizeof poison_words - 4);
        std::memcpy(p, poison_words + phase, k);
        p += k;
        n -= k;
    }
}

// The first byte of [p, p + n) that no longer holds the poison, or -1.
long poisoned_until(const char* p, size_t n) {
    for (size_t i = 0; i < n; i++) {
        if (p[i] != poison_words[(reinterpret_cast<uintptr_t>(p) + i) & 3]) return (long) i;
    }
    return -1;
}

void on_fault(int sig, siginfo_t* info, void*) {
    if (!in_kernel) {
        signal(sig, SIG_DFL);
        raise(sig);
        return;
    }
    fault_signal = sig;
    fault_address = info->si_addr;
    siglongjmp(fault_jump, 1);
}

std::string fault_message() {
    auto a = reinterpret_cast<uintptr_t>(fault_address);
    for (Fiber* f : fibers) {
        auto lo = reinterpret_cast<uintptr_t>(f->mem);
        if (a >= lo && a < lo + STACK_GUARD) {
            return "a thread overflowed its " + std::to_string(STACK_BYTES / 1024) + " KiB fiber stack";
        }
    }
    const char* what = fault_signal == SIGFPE ? "arithmetic fault (SIGFPE: an integer division by zero?)"
                     : fault_signal == SIGBUS ? "bus error (SIGBUS)"
                     : "invalid memory access (SIGSEGV)";
    return std::string(what) + " at address " + hex(a);
}
}  // namespace

uint64_t warp_op(int op, unsigned mask, uint64_t value, int arg, int width) {
    int t = current;
    Thread& th = threads[t];
    th.op = op;
    th.mask = mask | 1u << (t & 31);
    th.value = value;
    th.arg = arg;
    th.width = width;
    th.state = AT_WARP;
    warp_waiting[t >> 5]++;
    try_warp(t >> 5);
    suspend();
    return th.result;
}

int block_barrier(int op, int value) {
    Thread& th = threads[current];
    th.op = op;
    th.value = (uint64_t) value;
    th.state = AT_BARRIER;
    at_barrier++;
    if (at_barrier == live) release_barrier();
    suspend();
    return (int) th.result;
}

void not_emulated(const char* what) { fail(std::string("uses ") + what + " and cannot be emulated"); }

std::string run_grid(void (*body)(void*), void* ctx) {
    body_fn = body;
    body_ctx = ctx;
    nthreads = (int) (blockDim.x * blockDim.y * blockDim.z);
    dyn_smem_ptr = dyn_buffer;
    failed = false;
    current = -1;
    static uint3 block;  // static: read after a siglongjmp
    if (sigsetjmp(fault_jump, 1)) {
        in_kernel = 0;
        std::string where = current >= 0 ? " thread " + dim_str(threads[current].tid) : "";
        current = -1;
        reset_fibers();
        return "failed in block " + dim_str(block) + where + ": " + fault_message();
    }
    in_kernel = 1;
    for (block.z = 0; block.z < gridDim.z; block.z++) {
        for (block.y = 0; block.y < gridDim.y; block.y++) {
            for (block.x = 0; block.x < gridDim.x; block.x++) {
                blockIdx = block;
                // Shared memory as a GPU leaves it: garbage, here NaNs (the dynamic part plus a guard after it).
                poison(dyn_buffer, dyn_smem_bytes + GUARD);
                if (launch_family->shared_end > launch_family->shared_begin) {
                    poison(launch_family->shared_begin, launch_family->shared_end - launch_family->shared_begin);
                }
                rng = launch_seed ^ (((uint64_t) block.z * gridDim.y + block.y) * gridDim.x + block.x);
                splitmix(rng);
                std::string error = run_block();
                if (!error.empty()) {
                    in_kernel = 0;
                    reset_fibers();
                    if (failed && failure.rfind("uses ", 0) == 0) return failure;  // not_emulated
                    return "failed in block " + dim_str(block) + error;
                }
                long bad = poisoned_until(dyn_buffer + dyn_smem_bytes, GUARD);
                if (bad >= 0) {
                    in_kernel = 0;
                    return "failed in block " + dim_str(block) + ": it wrote past the end of its " +
                           std::to_string(dyn_smem_bytes) + " bytes of dynamic shared memory (the word at byte " +
                           std::to_string((dyn_smem_bytes + bad) & ~3ul) + ")";
                }
            }
        }
    }
    in_kernel = 0;
    return "";
}
}  // namespace emu

// ---- device memory -------------------------------------------------------------------------------------------
namespace {
using emu::GUARD;

struct Allocation {
    char* base;     // guard before, data, guard after
    uint64_t size;  // of the data
};
std::map<uint64_t, Allocation> allocations;  // by the address handed out (base + GUARD)
char canary_bytes[GUARD + 8];                // CANARY repeated from an aligned address

void fill_guard(char* p) {
    std::memcpy(p, canary_bytes + (reinterpret_cast<uintptr_t>(p) & 3), GUARD);
}

// The damage of the guard at p: the distances from the data (0 = adjacent) of the nearest and the farthest
// byte that lost the canary, or false.
bool damaged(const char* p, bool before, long& nearest, long& farthest) {
    const char* want = canary_bytes + (reinterpret_cast<uintptr_t>(p) & 3);
    if (std::memcmp(p, want, GUARD) == 0) return false;
    nearest = (long) GUARD;
    farthest = -1;
    for (size_t i = 0; i < GUARD; i++) {
        if (p[i] == want[i]) continue;
        long distance = before ? (long) (GUARD - 1 - i) : (long) i;
        nearest = std::min(nearest, distance);
        farthest = std::max(farthest, distance);
    }
    return true;
}

// Checks every live allocation's guards after a launch (and restores them): "" or the damage.
std::string check_guards() {
    std::string report;
    for (auto& [address, a] : allocations) {
        char* after = a.base + GUARD + a.size;
        long bn, bf, fn, ff;
        bool b = damaged(a.base, true, bn, bf), f = damaged(after, false, fn, ff);
        if (!b && !f) continue;
        if (!report.empty()) report += "; ";
        report += "the allocation of " + std::to_string(a.size) + " bytes at " + emu::hex(address) + " has ";
        if (f) {
            report += "its guard after the end damaged from byte " + std::to_string(fn) + " past its end (offsets " +
                      std::to_string(a.size + fn) + ".." + std::to_string(a.size + ff) + ")";
        }
        if (b && f) report += " and ";
        if (b) {
            report += "its guard before the start damaged from byte " + std::to_string(bn + 1) +
                      " before its start (offsets -" + std::to_string(bf + 1) + "..-" + std::to_string(bn + 1) + ")";
        }
        fill_guard(a.base);
        fill_guard(after);
    }
    return report;
}

// The allocation holding [address, address + n), or null.
const Allocation* holding(uint64_t address, uint64_t n) {
    auto it = allocations.upper_bound(address);
    if (it == allocations.begin()) return nullptr;
    --it;
    if (address - it->first > it->second.size || n > it->second.size - (address - it->first)) return nullptr;
    return &it->second;
}

// ---- protocol ------------------------------------------------------------------------------------------------
FILE* in;
FILE* out;

void read_exact(void* p, size_t n) {
    if (n > 0 && std::fread(p, 1, n, in) != n) std::exit(0);  // EOF: the client is gone
}
template <class T>
T get() {
    T v;
    read_exact(&v, sizeof v);
    return v;
}
void skip(uint64_t n) {
    char b[65536];
    while (n > 0) {
        size_t k = (size_t) std::min<uint64_t>(n, sizeof b);
        read_exact(b, k);
        n -= k;
    }
}
void put(const void* p, size_t n) {
    if (std::fwrite(p, 1, n, out) != n) std::exit(0);
}
template <class T>
void put(T v) {
    put(&v, sizeof v);
}
void ok() {
    put<uint8_t>(0);
}
void error(const std::string& message) {
    put<uint8_t>(1);
    put<uint32_t>((uint32_t) message.size());
    put(message.data(), message.size());
}

struct Entry {
    const emu::Family* family;
    const emu::Kernel* kernel;
};
std::unordered_map<std::string, Entry> kernels;
std::vector<std::string> kernel_names;

std::string range(uint64_t address, uint64_t n) {
    return std::to_string(n) + " bytes at " + emu::hex(address);
}

void launch() {
    uint16_t nameLength = get<uint16_t>();
    std::string name(nameLength, '\0');
    read_exact(name.data(), nameLength);
    uint32_t d[7];
    read_exact(d, sizeof d);
    uint16_t nargs = get<uint16_t>();
    std::vector<emu::Arg> args(nargs);
    bool badKind = false;
    for (auto& a : args) {
        a = {};
        a.kind = get<uint8_t>();
        if (a.kind == emu::PTR) a.ptr = get<uint64_t>();
        else if (a.kind == emu::I32) a.i32 = get<int32_t>();
        else if (a.kind == emu::F32) a.f32 = get<float>();
        else badKind = true;  // the rest of the request cannot be parsed
    }
    if (badKind) {
        error("launch " + name + ": unknown argument kind");
        std::fflush(out);
        std::exit(2);
    }
    auto it = kernels.find(name);
    if (it == kernels.end()) return error("unknown kernel " + name + " (not in the emulator: see cuda-emu's build line)");
    const Entry& e = it->second;
    if (!e.kernel->invoke) return error("kernel " + name + " uses " + e.kernel->not_emulated + " and cannot be emulated");
    dim3 grid(d[0], d[1], d[2]), block(d[3], d[4], d[5]);
    unsigned shared = d[6];
    std::string geometry = "grid (" + std::to_string(d[0]) + "," + std::to_string(d[1]) + "," + std::to_string(d[2]) +
                           "), block (" + std::to_string(d[3]) + "," + std::to_string(d[4]) + "," +
                           std::to_string(d[5]) + ")";
    uint64_t threads = (uint64_t) block.x * block.y * block.z;
    if (!grid.x || !grid.y || !grid.z || !block.x || !block.y || !block.z) {
        return error("kernel " + name + ": " + geometry + ": every dimension must be at least 1");
    }
    if (threads > emu::MAX_THREADS || block.z > 64) {
        return error("kernel " + name + ": " + geometry + ": more than 1024 threads per block (or block z > 64)");
    }
    if (grid.x > 0x7fffffffu || grid.y > 65535 || grid.z > 65535) {
        return error("kernel " + name + ": " + geometry + ": grid x above 2^31 - 1 or y, z above 65535");
    }
    if (shared > emu::MAX_SHARED) {
        return error("kernel " + name + ": " + std::to_string(shared) + " bytes of dynamic shared memory (at most 48 KiB)");
    }
    gridDim = grid;
    blockDim = block;
    emu::dyn_smem_bytes = shared;
    emu::launch_family = e.family;
    // A fixed seed per launch (kernel and geometry; CUDA_EMU_SEED varies it): reruns schedule the same way.
    uint64_t seed = 1469598103934665603ull;
    for (char c : name) seed = (seed ^ (uint8_t) c) * 1099511628211ull;
    for (uint32_t v : d) seed = (seed ^ v) * 1099511628211ull;
    if (const char* s = std::getenv("CUDA_EMU_SEED")) seed ^= std::strtoull(s, nullptr, 0) * 0x9e3779b97f4a7c15ull;
    emu::launch_seed = seed;
    std::string failure = e.kernel->invoke(args.data(), (int) args.size());
    std::string damage = check_guards();
    if (failure.empty() && damage.empty()) return ok();
    // "kernel K takes 4 arguments ...", "kernel K failed in block (0,0,0) thread (3,0,0): ...", "kernel K uses ..."
    std::string message = "kernel " + name;
    if (!failure.empty()) message += " " + failure;
    if (!damage.empty()) message += (failure.empty() ? " wrote out of bounds: " : "; it also wrote out of bounds: ") + damage;
    error(message);
}

void serve() {
    for (;;) {
        int op = std::fgetc(in);
        if (op == EOF) std::exit(0);
        switch (op) {
            case 1: {  // ALLOC
                uint64_t bytes = get<uint64_t>();
                void* p = nullptr;
                if (bytes > (1ull << 40) || posix_memalign(&p, 4096, GUARD + bytes + GUARD) != 0) {
                    error("cannot allocate " + std::to_string(bytes) + " bytes");
                    break;
                }
                char* base = static_cast<char*>(p);
                fill_guard(base);
                std::memset(base + GUARD, 0, bytes);
                fill_guard(base + GUARD + bytes);
                uint64_t address = reinterpret_cast<uintptr_t>(base + GUARD);
                allocations[address] = {base, bytes};
                ok();
                put(address);
                break;
            }
            case 2: {  // FREE
                uint64_t address = get<uint64_t>();
                auto it = allocations.find(address);
                if (it == allocations.end()) {
                    error("free of " + emu::hex(address) + ", which is not a live allocation");
                    break;
                }
                std::free(it->second.base);
                allocations.erase(it);
                ok();
                break;
            }
            case 3: {  // UPLOAD
                uint64_t address = get<uint64_t>(), n = get<uint64_t>();
                if (n > 0 && !holding(address, n)) {
                    skip(n);
                    error("upload of " + range(address, n) + ": not inside one allocation");
                    break;
                }
                read_exact(reinterpret_cast<void*>(static_cast<uintptr_t>(address)), n);
                ok();
                break;
            }
            case 4: {  // DOWNLOAD
                uint64_t address = get<uint64_t>(), n = get<uint64_t>();
                if (n > 0 && !holding(address, n)) {
                    error("download of " + range(address, n) + ": not inside one allocation");
                    break;
                }
                ok();
                put(reinterpret_cast<const void*>(static_cast<uintptr_t>(address)), n);
                break;
            }
            case 5: {  // MEMSET32
                uint64_t address = get<uint64_t>();
                uint32_t value = get<uint32_t>();
                uint64_t count = get<uint64_t>();
                if ((address & 3) != 0) {
                    error("memset32 at " + emu::hex(address) + ": the address is not 4-byte aligned");
                    break;
                }
                if (count > 0 && (count > (1ull << 62) || !holding(address, count * 4))) {
                    error("memset32 of " + range(address, count * 4) + ": not inside one allocation");
                    break;
                }
                auto* p = reinterpret_cast<uint32_t*>(static_cast<uintptr_t>(address));
                std::fill(p, p + count, value);
                ok();
                break;
            }
            case 6: launch(); break;
            case 7: ok(); break;  // SYNC: every launch has finished when its reply is sent
            case 8: {             // KERNELS
                ok();
                put<uint32_t>((uint32_t) kernel_names.size());
                for (const std::string& n : kernel_names) {
                    put<uint16_t>((uint16_t) n.size());
                    put(n.data(), n.size());
                }
                break;
            }
            case 9: std::fflush(out); std::exit(0);  // QUIT
            default:
                error("unknown request " + std::to_string(op));
                std::fflush(out);
                std::exit(2);  // the rest of the stream cannot be parsed
        }
        std::fflush(out);
    }
}
}  // namespace

int main() {
    // The replies go to the original stdout; anything else printing to stdout (a kernel's printf) goes to
    // stderr instead of into the protocol.
    int protocol = dup(1);
    dup2(2, 1);
    out = fdopen(protocol, "wb");
    in = stdin;
    static char inBuffer[1 << 20], outBuffer[1 << 20];
    std::setvbuf(in, inBuffer, _IOFBF, sizeof inBuffer);
    std::setvbuf(out, outBuffer, _IOFBF, sizeof outBuffer);

    for (size_t i = 0; i < sizeof emu::poison_words; i += 4) std::memcpy(emu::poison_words + i, &emu::SHARED_POISON, 4);
    for (size_t i = 0; i < sizeof canary_bytes; i += 4) std::memcpy(canary_bytes + i, &emu::CANARY, 4);

    // Faults inside a kernel fail its launch instead of the process (handled on their own stack, so that
    // a fiber's stack overflow is reported too).
    static char altStack[64 * 1024];
    stack_t ss{};
    ss.ss_sp = altStack;
    ss.ss_size = sizeof altStack;
    sigaltstack(&ss, nullptr);
    struct sigaction sa{};
    sa.sa_sigaction = emu::on_fault;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE}) sigaction(sig, &sa, nullptr);

    for (int f = 0; f < emu_family_count; f++) {
        const emu::Family* family = emu_families[f];
        for (int k = 0; k < family->count; k++) {
            const emu::Kernel* kernel = &family->kernels[k];
            if (!kernels.emplace(kernel->name, Entry{family, kernel}).second) {
                std::fprintf(stderr, "cuda-emu: kernel %s is defined twice (family %s ignored)\n", kernel->name,
                             family->name);
                continue;
            }
            kernel_names.push_back(kernel->name);
        }
    }
    serve();
}
