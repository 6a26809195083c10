//! The crate's named enums (kernels, dtypes): `named!`, which writes their
//! `Display` and `FromStr` once; with `std`, parsing, [`UnknownName`], the one
//! error for a string that names none of them, and reading the environment
//! variables that hold them.

#[cfg(feature = "std")]
use core::fmt;

/// `Display` for `$t` by its `name()`, and with `std` a `FromStr` that
/// accepts the names `$names` of the values `$values` (`$kind` in errors).
macro_rules! named {
    ($t:ty, $kind:literal, $values:expr, $names:expr, $(#[$doc:meta])*) => {
        impl core::fmt::Display for $t {
            fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
                f.write_str(self.name())
            }
        }

        #[cfg(feature = "std")]
        impl core::str::FromStr for $t {
            type Err = crate::UnknownName;

            $(#[$doc])*
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                crate::names::parse(s, $kind, $values, $names)
            }
        }
    };
}
pub(crate) use named;

#[cfg(feature = "std")]
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

#[cfg(feature = "std")]
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

#[cfg(feature = "std")]
impl std::error::Error for UnknownName {}

#[cfg(feature = "std")]
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

#[cfg(feature = "std")]
/// The variable `name`, decoded lossily if it is not UTF-8; an empty (or
/// all-whitespace) value counts as unset, as a shell's `VAR=` means.
pub(crate) fn read_env(name: &str) -> Option<String> {
    non_empty(std::env::var_os(name)?)
}

#[cfg(feature = "std")]
fn non_empty(v: std::ffi::OsString) -> Option<String> {
    let v = v.to_string_lossy().into_owned();
    (!v.trim().is_empty()).then_some(v)
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_unset_and_names_parse() {
        assert_eq!(non_empty("".into()), None);
        assert_eq!(non_empty(" \t".into()), None);
        assert_eq!(non_empty(" sse9 ".into()), Some(" sse9 ".to_owned()));
        let names = &["a", "b"];
        assert_eq!(parse(" B ", "thing", &[1, 2], names), Ok(2));
        let e = parse("c", "thing", &[1, 2], names).unwrap_err();
        assert_eq!(e.to_string(), "unknown thing \"c\": expected one of a, b");
    }
}
