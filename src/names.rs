//! Parsing the crate's names (kernels, dtypes, parallelism policies), and
//! [`UnknownName`], the one error for a string that names none of them.

use core::fmt;

/// The error of parsing a [`Kernel`](crate::Kernel), a [`DType`](crate::DType)
/// or a [`Parallelism`](crate::Parallelism): the input, and the names accepted
/// (any ASCII case, surrounding whitespace ignored).
///
/// ```
/// let e = "sse9".parse::<leaky_relu::Kernel>().unwrap_err();
/// assert_eq!((e.kind, e.input.as_str()), ("kernel", "sse9"));
/// assert!(e.to_string().starts_with("unknown kernel \"sse9\": expected one of avx512, avx2"));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct UnknownName {
    /// What was being parsed: `"kernel"`, `"dtype"` or `"parallelism"`.
    pub kind: &'static str,
    /// The string that matched no name.
    pub input: String,
    /// The names that are accepted.
    pub expected: &'static [&'static str],
}

impl fmt::Display for UnknownName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "unknown {} {:?}: expected one of ",
            self.kind, self.input
        )?;
        f.write_str(&self.expected.join(", "))
    }
}

impl std::error::Error for UnknownName {}

/// The value whose name (in `names`, parallel to `values`) is `s`, ignoring
/// ASCII case and surrounding whitespace.
pub(crate) fn parse<T: Copy>(
    s: &str,
    kind: &'static str,
    values: &[T],
    names: &'static [&'static str],
) -> Result<T, UnknownName> {
    let t = s.trim();
    values
        .iter()
        .zip(names)
        .find(|(_, n)| n.eq_ignore_ascii_case(t))
        .map(|(&v, _)| v)
        .ok_or_else(|| UnknownName {
            kind,
            input: s.to_owned(),
            expected: names,
        })
}
