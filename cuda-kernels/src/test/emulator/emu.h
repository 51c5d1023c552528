// cuda-emu's runtime as the kernels see it: force-included (g++ -include emu.h) before every .cu, which
// build.sh compiles as C++ inside an anonymous namespace (so helpers of different families never clash).
// A block's threads are fibers on one OS thread (server.cpp); __syncthreads and the warp intrinsics are
// the points where a fiber waits for the others. Everything else is plain C++ on the host.
#pragma once

// The standard headers first, before any CUDA keyword becomes a macro (build.sh also hoists the .cu
// files' own #include <...> lines above the anonymous namespace).
#include <algorithm>
#include <cfloat>
#include <climits>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <limits>
#include <memory>
#include <math.h>
#include <stdint.h>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>

// ---- built-in variables and vector types -------------------------------------------------------------
struct uint3 { unsigned x, y, z; };
struct dim3 {
    unsigned x, y, z;
    constexpr dim3(unsigned x = 1, unsigned y = 1, unsigned z = 1) : x(x), y(y), z(z) {}
    constexpr dim3(uint3 v) : x(v.x), y(v.y), z(v.z) {}
};
// threadIdx is the running fiber's: the scheduler sets it whenever it resumes a thread.
extern uint3 threadIdx, blockIdx;
extern dim3 blockDim, gridDim;
constexpr int warpSize = 32;

struct alignas(8) float2 { float x, y; };
struct alignas(16) float4 { float x, y, z, w; };
struct float3 { float x, y, z; };
struct alignas(16) double2 { double x, y; };
struct alignas(8) int2 { int x, y; };
struct alignas(16) int4 { int x, y, z, w; };
struct alignas(8) uint2 { unsigned x, y; };
struct alignas(16) uint4 { unsigned x, y, z, w; };
inline float2 make_float2(float x, float y) { return {x, y}; }
inline float3 make_float3(float x, float y, float z) { return {x, y, z}; }
inline float4 make_float4(float x, float y, float z, float w) { return {x, y, z, w}; }
inline double2 make_double2(double x, double y) { return {x, y}; }
inline int2 make_int2(int x, int y) { return {x, y}; }
inline int4 make_int4(int x, int y, int z, int w) { return {x, y, z, w}; }
inline uint2 make_uint2(unsigned x, unsigned y) { return {x, y}; }
inline uint4 make_uint4(unsigned x, unsigned y, unsigned z, unsigned w) { return {x, y, z, w}; }

namespace emu {
// ---- the fiber scheduler's entry points (server.cpp) -------------------------------------------------
enum WarpOp : int { SHFL_IDX, SHFL_UP, SHFL_DOWN, SHFL_XOR, BALLOT, ANY, ALL, ACTIVEMASK, SYNCWARP };
enum BarrierOp : int { SYNC, SYNC_COUNT, SYNC_AND, SYNC_OR };
// Deposits value, waits until every live lane of mask (own lane included) has arrived, returns the result.
uint64_t warp_op(int op, unsigned mask, uint64_t value, int arg, int width);
int block_barrier(int op, int value);
// The launch's dynamic shared memory (sharedBytes bytes, NaN-filled before each block) and its size.
extern char* dyn_smem_ptr;
extern unsigned dyn_smem_bytes;
inline unsigned dynamic_smem_size() { return dyn_smem_bytes; }
// Fails the launch: "kernel K uses WHAT and cannot be emulated".
[[noreturn]] void not_emulated(const char* what);

// ---- kernel arguments and dispatch -------------------------------------------------------------------
enum ArgKind : uint8_t { PTR = 0, I32 = 1, F32 = 2 };
struct Arg {
    uint8_t kind;
    uint64_t ptr;
    int32_t i32;
    float f32;
};
// Runs body(ctx) as every thread of every block of the current launch; "" or the error.
std::string run_grid(void (*body)(void*), void* ctx);

template <class T>
constexpr int kind_of() {
    if constexpr (std::is_pointer_v<T>) {
        return PTR;
    } else if constexpr (std::is_same_v<T, int> || std::is_same_v<T, unsigned>) {
        return I32;
    } else if constexpr (std::is_same_v<T, float>) {
        return F32;
    } else {
        static_assert(std::is_pointer_v<T>, "kernel parameters must be pointers, int, unsigned or float");
        return -1;
    }
}

template <class T>
T arg_as(const Arg& a) {
    if constexpr (std::is_pointer_v<T>) {
        return reinterpret_cast<T>(static_cast<uintptr_t>(a.ptr));
    } else if constexpr (std::is_same_v<T, float>) {
        return a.f32;
    } else {
        return static_cast<T>(a.i32);
    }
}

inline const char* kind_name(int k) { return k == PTR ? "a pointer" : k == I32 ? "an int" : k == F32 ? "a float" : "?"; }

template <class... P, size_t... I>
std::string invoke_with(void (*kernel)(P...), const Arg* a, std::index_sequence<I...>) {
    struct Call {
        void (*kernel)(P...);
        std::tuple<P...> args;
    } call{kernel, std::tuple<P...>(arg_as<P>(a[I])...)};
    return run_grid([](void* c) { std::apply(static_cast<Call*>(c)->kernel, static_cast<Call*>(c)->args); }, &call);
}

// Checks the client's arguments against the kernel's parameter types, converts them and runs the launch.
template <class... P>
std::string invoke(void (*kernel)(P...), const Arg* a, int n) {
    constexpr int count = sizeof...(P);
    if (n != count) {
        return "takes " + std::to_string(count) + " arguments, the launch passed " + std::to_string(n);
    }
    constexpr int kinds[] = {kind_of<P>()..., 0};
    for (int i = 0; i < count; i++) {
        if (a[i].kind != kinds[i]) {
            return "takes " + std::string(kind_name(kinds[i])) + " as argument " + std::to_string(i + 1) +
                   ", the launch passed " + kind_name(a[i].kind);
        }
    }
    return invoke_with(kernel, a, std::index_sequence_for<P...>{});
}

// One registered kernel: invoke is null where the kernel cannot be emulated (not_emulated says why).
struct Kernel {
    const char* name;
    std::string (*invoke)(const Arg*, int);
    const char* not_emulated;
};
// A family (one .cu): its kernels and the static __shared__ arrays of its translation unit (the linker's
// __start_/__stop_ symbols of its section), NaN-filled before each block of its kernels.
struct Family {
    const char* name;
    const Kernel* kernels;
    int count;
    char* shared_begin;
    char* shared_end;
};

template <class T>
inline uint64_t to_bits(T v) {
    static_assert(sizeof(T) <= 8 && std::is_trivially_copyable_v<T>, "warp intrinsics take values of at most 8 bytes");
    uint64_t b = 0;
    std::memcpy(&b, &v, sizeof(T));
    return b;
}
template <class T>
inline T from_bits(uint64_t b) {
    T v;
    std::memcpy(&v, &b, sizeof(T));
    return v;
}
}  // namespace emu

// ---- synchronisation -----------------------------------------------------------------------------------
inline void __syncthreads() { emu::block_barrier(emu::SYNC, 0); }
inline int __syncthreads_count(int p) { return emu::block_barrier(emu::SYNC_COUNT, p != 0); }
inline int __syncthreads_and(int p) { return emu::block_barrier(emu::SYNC_AND, p != 0); }
inline int __syncthreads_or(int p) { return emu::block_barrier(emu::SYNC_OR, p != 0); }
inline void __syncwarp(unsigned mask = 0xffffffffu) { emu::warp_op(emu::SYNCWARP, mask, 0, 0, 32); }
inline void __threadfence() {}
inline void __threadfence_block() {}
inline void __threadfence_system() {}

// ---- warp intrinsics (full CUDA semantics, including the mask and width) ----------------------------
template <class T>
inline T __shfl_sync(unsigned mask, T v, int src, int width = 32) {
    return emu::from_bits<T>(emu::warp_op(emu::SHFL_IDX, mask, emu::to_bits(v), src, width));
}
template <class T>
inline T __shfl_up_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return emu::from_bits<T>(emu::warp_op(emu::SHFL_UP, mask, emu::to_bits(v), (int) delta, width));
}
template <class T>
inline T __shfl_down_sync(unsigned mask, T v, unsigned delta, int width = 32) {
    return emu::from_bits<T>(emu::warp_op(emu::SHFL_DOWN, mask, emu::to_bits(v), (int) delta, width));
}
template <class T>
inline T __shfl_xor_sync(unsigned mask, T v, int laneMask, int width = 32) {
    return emu::from_bits<T>(emu::warp_op(emu::SHFL_XOR, mask, emu::to_bits(v), laneMask, width));
}
inline unsigned __ballot_sync(unsigned mask, int p) { return (unsigned) emu::warp_op(emu::BALLOT, mask, p != 0, 0, 32); }
inline int __any_sync(unsigned mask, int p) { return (int) emu::warp_op(emu::ANY, mask, p != 0, 0, 32); }
inline int __all_sync(unsigned mask, int p) { return (int) emu::warp_op(emu::ALL, mask, p != 0, 0, 32); }
inline unsigned __activemask() { return (unsigned) emu::warp_op(emu::ACTIVEMASK, 0xffffffffu, 0, 0, 32); }

// ---- atomics: plain read-modify-writes (one OS thread runs every block) -------------------------------
template <class T> inline T emu_atomic_add(T* p, T v) { T old = *p; *p = old + v; return old; }
inline float atomicAdd(float* p, float v) { return emu_atomic_add(p, v); }
inline double atomicAdd(double* p, double v) { return emu_atomic_add(p, v); }
inline int atomicAdd(int* p, int v) { return emu_atomic_add(p, v); }
inline unsigned atomicAdd(unsigned* p, unsigned v) { return emu_atomic_add(p, v); }
inline unsigned long long atomicAdd(unsigned long long* p, unsigned long long v) { return emu_atomic_add(p, v); }
inline int atomicSub(int* p, int v) { int old = *p; *p = old - v; return old; }
inline unsigned atomicSub(unsigned* p, unsigned v) { unsigned old = *p; *p = old - v; return old; }
template <class T> inline T emu_atomic_max(T* p, T v) { T old = *p; *p = old < v ? v : old; return old; }
template <class T> inline T emu_atomic_min(T* p, T v) { T old = *p; *p = v < old ? v : old; return old; }
inline int atomicMax(int* p, int v) { return emu_atomic_max(p, v); }
inline unsigned atomicMax(unsigned* p, unsigned v) { return emu_atomic_max(p, v); }
inline long long atomicMax(long long* p, long long v) { return emu_atomic_max(p, v); }
inline unsigned long long atomicMax(unsigned long long* p, unsigned long long v) { return emu_atomic_max(p, v); }
inline int atomicMin(int* p, int v) { return emu_atomic_min(p, v); }
inline unsigned atomicMin(unsigned* p, unsigned v) { return emu_atomic_min(p, v); }
inline long long atomicMin(long long* p, long long v) { return emu_atomic_min(p, v); }
inline unsigned long long atomicMin(unsigned long long* p, unsigned long long v) { return emu_atomic_min(p, v); }
template <class T> inline T emu_atomic_cas(T* p, T expected, T v) { T old = *p; if (old == expected) *p = v; return old; }
inline int atomicCAS(int* p, int e, int v) { return emu_atomic_cas(p, e, v); }
inline unsigned atomicCAS(unsigned* p, unsigned e, unsigned v) { return emu_atomic_cas(p, e, v); }
inline unsigned long long atomicCAS(unsigned long long* p, unsigned long long e, unsigned long long v) {
    return emu_atomic_cas(p, e, v);
}
template <class T> inline T emu_atomic_exch(T* p, T v) { T old = *p; *p = v; return old; }
inline int atomicExch(int* p, int v) { return emu_atomic_exch(p, v); }
inline unsigned atomicExch(unsigned* p, unsigned v) { return emu_atomic_exch(p, v); }
inline unsigned long long atomicExch(unsigned long long* p, unsigned long long v) { return emu_atomic_exch(p, v); }
inline float atomicExch(float* p, float v) { return emu_atomic_exch(p, v); }

template <class T> inline T __ldg(const T* p) { return *p; }

// ---- min / max as CUDA overloads them (not std::min: mixed int/unsigned calls must compile) -----------
inline int min(int a, int b) { return a < b ? a : b; }
inline unsigned min(unsigned a, unsigned b) { return a < b ? a : b; }
inline unsigned min(int a, unsigned b) { return min((unsigned) a, b); }
inline unsigned min(unsigned a, int b) { return min(a, (unsigned) b); }
inline long min(long a, long b) { return a < b ? a : b; }
inline unsigned long min(unsigned long a, unsigned long b) { return a < b ? a : b; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline unsigned long long min(unsigned long long a, unsigned long long b) { return a < b ? a : b; }
inline unsigned long long min(long long a, unsigned long long b) { return min((unsigned long long) a, b); }
inline unsigned long long min(unsigned long long a, long long b) { return min(a, (unsigned long long) b); }
inline float min(float a, float b) { return fminf(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline double min(float a, double b) { return fmin(a, b); }
inline double min(double a, float b) { return fmin(a, b); }
inline int max(int a, int b) { return a > b ? a : b; }
inline unsigned max(unsigned a, unsigned b) { return a > b ? a : b; }
inline unsigned max(int a, unsigned b) { return max((unsigned) a, b); }
inline unsigned max(unsigned a, int b) { return max(a, (unsigned) b); }
inline long max(long a, long b) { return a > b ? a : b; }
inline unsigned long max(unsigned long a, unsigned long b) { return a > b ? a : b; }
inline long long max(long long a, long long b) { return a > b ? a : b; }
inline unsigned long long max(unsigned long long a, unsigned long long b) { return a > b ? a : b; }
inline unsigned long long max(long long a, unsigned long long b) { return max((unsigned long long) a, b); }
inline unsigned long long max(unsigned long long a, long long b) { return max(a, (unsigned long long) b); }
inline float max(float a, float b) { return fmaxf(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline double max(float a, double b) { return fmax(a, b); }
inline double max(double a, float b) { return fmax(a, b); }

// ---- math intrinsics. glibc declares some __names itself (__expf, __logf, ...), so every intrinsic is an
// emu_ function and the CUDA name a macro for it. The _rn operations are single IEEE operations (the
// emulator is built with -ffp-contract=off: nothing is fused unless the kernel calls fmaf).
inline float emu_expf(float x) { return expf(x); }
inline float emu_exp10f(float x) { return exp10f(x); }
inline float emu_logf(float x) { return logf(x); }
inline float emu_log2f(float x) { return log2f(x); }
inline float emu_log10f(float x) { return log10f(x); }
inline float emu_sinf(float x) { return sinf(x); }
inline float emu_cosf(float x) { return cosf(x); }
inline float emu_tanf(float x) { return tanf(x); }
inline float emu_powf(float x, float y) { return powf(x, y); }
inline void emu_sincosf(float x, float* s, float* c) { *s = sinf(x); *c = cosf(x); }
inline float emu_fdividef(float a, float b) { return a / b; }
inline float emu_frcp_rn(float x) { return 1.f / x; }
inline float emu_rsqrtf(float x) { return 1.f / sqrtf(x); }
inline double emu_rsqrt(double x) { return 1.0 / sqrt(x); }
inline float emu_fsqrt_rn(float x) { return sqrtf(x); }
inline float emu_frsqrt_rn(float x) { return 1.f / sqrtf(x); }
inline float emu_fadd_rn(float a, float b) { return a + b; }
inline float emu_fsub_rn(float a, float b) { return a - b; }
inline float emu_fmul_rn(float a, float b) { return a * b; }
inline float emu_fdiv_rn(float a, float b) { return a / b; }
inline float emu_fmaf_rn(float a, float b, float c) { return fmaf(a, b, c); }
inline double emu_dadd_rn(double a, double b) { return a + b; }
inline double emu_dsub_rn(double a, double b) { return a - b; }
inline double emu_dmul_rn(double a, double b) { return a * b; }
inline double emu_ddiv_rn(double a, double b) { return a / b; }
inline double emu_fma_rn(double a, double b, double c) { return fma(a, b, c); }
inline float emu_saturatef(float x) { return x > 0.f ? (x < 1.f ? x : 1.f) : 0.f; }  // NaN -> 0
inline int emu_float2int_rn(float x) { return (int) nearbyintf(x); }
inline int emu_float2int_rz(float x) { return (int) x; }
inline int emu_float2int_rd(float x) { return (int) floorf(x); }
inline int emu_float2int_ru(float x) { return (int) ceilf(x); }
inline float emu_int2float_rn(int x) { return (float) x; }
inline float emu_int_as_float(int x) { return emu::from_bits<float>((uint32_t) x); }
inline int emu_float_as_int(float x) { return (int) (uint32_t) emu::to_bits(x); }
inline float emu_uint_as_float(unsigned x) { return emu::from_bits<float>(x); }
inline unsigned emu_float_as_uint(float x) { return (unsigned) emu::to_bits(x); }
inline double emu_longlong_as_double(long long x) { return emu::from_bits<double>((uint64_t) x); }
inline long long emu_double_as_longlong(double x) { return (long long) emu::to_bits(x); }
inline int emu_popc(unsigned x) { return __builtin_popcount(x); }
inline int emu_popcll(unsigned long long x) { return __builtin_popcountll(x); }
inline int emu_clz(unsigned x) { return x ? __builtin_clz(x) : 32; }
inline int emu_clzll(unsigned long long x) { return x ? __builtin_clzll(x) : 64; }
inline int emu_ffs(unsigned x) { return __builtin_ffs((int) x); }
inline int emu_ffsll(unsigned long long x) { return __builtin_ffsll((long long) x); }
inline unsigned emu_brev(unsigned x) {
    unsigned r = 0;
    for (int i = 0; i < 32; i++) r |= ((x >> i) & 1u) << (31 - i);
    return r;
}
// sin(pi x) and cos(pi x), exact at multiples of 1/2 like CUDA's (reduced to |f| <= 1/4 first, in double).
inline void emu_sincospi(double x, double* s, double* c) {
    double n = nearbyint(2.0 * x), f = x - 0.5 * n;
    double sf = sin(M_PI * f), cf = cos(M_PI * f);
    switch (((long long) n) & 3) {
        case 0: *s = sf; *c = cf; break;
        case 1: *s = cf; *c = -sf; break;
        case 2: *s = -sf; *c = -cf; break;
        default: *s = -cf; *c = sf; break;
    }
    if (*s == 0) *s = 0.0 * x;  // sinpi(-0) = -0, sinpi(n) = +-0 as sign(x)
    if (!std::isfinite(x)) *s = *c = NAN;
}
inline void emu_sincospif(float x, float* s, float* c) {
    double sd, cd;
    emu_sincospi(x, &sd, &cd);
    *s = (float) sd;
    *c = (float) cd;
}
inline float emu_sinpif(float x) { float s, c; emu_sincospif(x, &s, &c); return s; }
inline float emu_cospif(float x) { float s, c; emu_sincospif(x, &s, &c); return c; }
inline size_t emu_cvta_generic_to_shared(const void* p) { return (size_t) p; }

#define __expf emu_expf
#define __exp10f emu_exp10f
#define __logf emu_logf
#define __log2f emu_log2f
#define __log10f emu_log10f
#define __sinf emu_sinf
#define __cosf emu_cosf
#define __tanf emu_tanf
#define __powf emu_powf
#define __sincosf emu_sincosf
#define __fdividef emu_fdividef
#define fdividef emu_fdividef
#define __frcp_rn emu_frcp_rn
#define rsqrtf emu_rsqrtf
#define rsqrt emu_rsqrt
#define __fsqrt_rn emu_fsqrt_rn
#define __frsqrt_rn emu_frsqrt_rn
#define __fadd_rn emu_fadd_rn
#define __fsub_rn emu_fsub_rn
#define __fmul_rn emu_fmul_rn
#define __fdiv_rn emu_fdiv_rn
#define __fmaf_rn emu_fmaf_rn
#define __dadd_rn emu_dadd_rn
#define __dsub_rn emu_dsub_rn
#define __dmul_rn emu_dmul_rn
#define __ddiv_rn emu_ddiv_rn
#define __fma_rn emu_fma_rn
#define __saturatef emu_saturatef
#define __float2int_rn emu_float2int_rn
#define __float2int_rz emu_float2int_rz
#define __float2int_rd emu_float2int_rd
#define __float2int_ru emu_float2int_ru
#define __int2float_rn emu_int2float_rn
#define __int_as_float emu_int_as_float
#define __float_as_int emu_float_as_int
#define __uint_as_float emu_uint_as_float
#define __float_as_uint emu_float_as_uint
#define __longlong_as_double emu_longlong_as_double
#define __double_as_longlong emu_double_as_longlong
#define __popc emu_popc
#define __popcll emu_popcll
#define __clz emu_clz
#define __clzll emu_clzll
#define __ffs emu_ffs
#define __ffsll emu_ffsll
#define __brev emu_brev
#define sincospif emu_sincospif
#define sinpif emu_sinpif
#define cospif emu_cospif
#define __cvta_generic_to_shared emu_cvta_generic_to_shared
#define CUDART_INF_F INFINITY
#define CUDART_NAN_F NAN
#define CUDART_PI_F 3.141592654f

// ---- qualifiers -------------------------------------------------------------------------------------------
// __shared__: static storage, one copy (blocks run one after another), in this family's own section so
// that the server can fill every static shared array of the family with NaNs before each block (g++ drops
// the attribute on the statics of function templates: build.sh moves those into the section too).
#ifndef EMU_SHARED_SECTION
#define EMU_SHARED_SECTION "emu_shared"
#endif
#define __shared__ static __attribute__((section(".bss." EMU_SHARED_SECTION)))
#ifdef EMU_SCAN
#define __global__ __emu_global__  // build.sh finds the kernels by this token in the preprocessed source
#else
#define __global__
#endif
#define __device__
#define __host__
#define __constant__ static
#define __managed__
#define __forceinline__ inline
#define __noinline__ __attribute__((noinline))
#define __launch_bounds__(...)
#define __align__(n) __attribute__((aligned(n)))
// __restrict__ is g++'s own keyword.
