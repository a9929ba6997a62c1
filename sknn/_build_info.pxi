# Included by every kernel: how it was compiled, for ``sknn info``.

cdef extern from *:
    """
    #define SKNN_STR2(x) #x
    #define SKNN_STR(x) SKNN_STR2(x)
    #if defined(__clang__)
    #define SKNN_COMPILER "clang " __clang_version__
    #elif defined(__GNUC__)
    #define SKNN_COMPILER "gcc " __VERSION__
    #elif defined(_MSC_VER)
    #define SKNN_COMPILER "MSVC " SKNN_STR(_MSC_FULL_VER)
    #else
    #define SKNN_COMPILER "unknown compiler"
    #endif
    """
    const char *SKNN_COMPILER
    long CYTHON_HEX_VERSION

BUILD = {
    "compiler": SKNN_COMPILER.decode(),
    "cython": ".".join(str((CYTHON_HEX_VERSION >> s) & 0xFF) for s in (24, 16, 8)),
}
"""How this kernel was compiled: the C compiler and the Cython version."""
