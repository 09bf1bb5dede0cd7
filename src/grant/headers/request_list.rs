//! Reading a preflight's `Access-Control-Request-Headers`: the names, in one pass over the
//! bytes.

use std::cmp::Ordering;

use http::header::GetAll;
use http::HeaderValue;

use crate::grant::util::{for_each_element, is_token_byte, join_values, trim_ows};

/// What [`HeaderPolicy::check`](super::HeaderPolicy::check) found in `Access-Control-Request-Headers`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Requested {
    /// The names.
    pub(crate) count: usize,
    /// One line, without empty elements or whitespace around it: as browsers write it.
    pub(crate) one_tidy_line: bool,
}

/// The longest list of allowed names that is searched name by name instead of by bisection.
pub(super) const SHORT_LIST: usize = 16;

/// What [`for_each_name`] found out about an element while looking for its end.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Shape {
    /// An RFC 9110 token, as header names are.
    pub(super) token: bool,
    pub(super) uppercase: bool,
}

/// The bytes of a header name: not one (0), a lowercase one, an uppercase one.
const NAME_LOWERCASE: u8 = 1;
const NAME_UPPERCASE: u8 = 2;
const NAME_BYTES: [u8; 256] = {
    let mut table = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        let b = i as u8;
        if is_token_byte(b) {
            table[i] = if b.is_ascii_uppercase() {
                NAME_UPPERCASE
            } else {
                NAME_LOWERCASE
            };
        }
        i += 1;
    }
    table
};

fn is_whitespace(b: u8) -> bool {
    b == b' ' || b == b'\t'
}

/// The length of the run of name bytes at the start of `bytes`, and the classes found in it.
/// (Its inlining attribute: `docs/performance.md`, "Inlining".)
#[inline(never)]
fn name_at(bytes: &[u8]) -> (usize, u8) {
    let mut classes = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let class = NAME_BYTES[usize::from(b)];
        if class == 0 {
            return (i, classes);
        }
        classes |= class;
    }
    (bytes.len(), classes)
}

/// [`for_each_element`] for lists of header names, telling for each element whether it is a
/// token and has uppercase letters. A name is read in one tight loop over its bytes; only an
/// element that is not a token is looked at again.
///
/// Returns whether the list is one tidy line (no whitespace at either end, no empty element,
/// no trailing comma), which a mirroring policy sends back as it is.
///
/// The list is the header's value split at commas, each element trimmed of whitespace, as
/// the browser writes it (<https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names>).
/// (Its inlining attribute: `docs/performance.md`, "Inlining".)
#[inline(always)]
pub(super) fn for_each_name<'a, E>(
    values: impl IntoIterator<Item = &'a HeaderValue>,
    mut f: impl FnMut(&'a [u8], Shape) -> Result<(), E>,
) -> Result<bool, E> {
    let (mut lines, mut tidy) = (0, true);
    for value in values {
        let bytes = value.as_bytes();
        lines += 1;
        tidy &= match (bytes.first(), bytes.last()) {
            (Some(&first), Some(&last)) => {
                !is_whitespace(first) && !is_whitespace(last) && last != b','
            }
            _ => false,
        };
        let mut i = 0;
        while i < bytes.len() {
            while i < bytes.len() && is_whitespace(bytes[i]) {
                i += 1;
            }
            if i == bytes.len() {
                break;
            }
            if bytes[i] == b',' {
                tidy = false; // an empty element
                i += 1;
                continue;
            }
            let start = i;
            let (len, classes) = name_at(&bytes[start..]);
            i += len;
            let name = &bytes[start..i];
            while i < bytes.len() && is_whitespace(bytes[i]) {
                i += 1;
            }
            if i == bytes.len() || bytes[i] == b',' {
                let uppercase = classes & NAME_UPPERCASE != 0;
                f(
                    name,
                    Shape {
                        token: true,
                        uppercase,
                    },
                )?;
                i += 1;
                continue;
            }
            // Something else than a name: the element runs to the next comma.
            let end = bytes[i..]
                .iter()
                .position(|&b| b == b',')
                .map_or(bytes.len(), |comma| i + comma);
            let element = trim_ows(&bytes[start..end]);
            let uppercase = element.iter().any(u8::is_ascii_uppercase);
            f(
                element,
                Shape {
                    token: false,
                    uppercase,
                },
            )?;
            i = end + 1;
        }
    }
    Ok(tidy && lines == 1)
}

/// The usual preflight of a listing policy, checked without classifying every byte: one line
/// of names the policy lists, as browsers write them (lowercase, separated by `,` or `, `).
/// `names` are the policy's, lowercase tokens, at most [`SHORT_LIST`] of them. A listed name
/// is a token, so an element equal to one needs no other check.
///
/// `None` when the line is anything else (another name, uppercase, other whitespace, empty
/// elements, more than `limit` names): the caller then reads it byte by byte, which also finds
/// the reason for a refusal.
pub(super) fn listed_line(line: &[u8], names: &[Box<[u8]>], limit: usize) -> Option<Requested> {
    let mut rest = line;
    let mut count = 0;
    loop {
        let first = *rest.first()?;
        let name = names.iter().find(|name| {
            name.first() == Some(&first)
                && rest.starts_with(name)
                && matches!(rest.get(name.len()), None | Some(b','))
        })?;
        count += 1;
        if count > limit {
            return None;
        }
        rest = &rest[name.len()..];
        match rest {
            [] => {
                return Some(Requested {
                    count,
                    one_tidy_line: true,
                })
            }
            [b',', b' ', after @ ..] | [b',', after @ ..] => rest = after,
            _ => return None,
        }
    }
}

/// The names of `Access-Control-Request-Headers` lines, joined into one value; `None` when
/// there are none.
pub(crate) fn join_request_headers(requested: &GetAll<'_, HeaderValue>) -> Option<HeaderValue> {
    let mut names = Vec::new();
    let _ = for_each_element::<()>(requested.iter(), |n| {
        names.push(n);
        Ok(())
    });
    join_values(names)
}

/// Compares a lowercase name with `name` lowercased, without lowercasing a copy: the order of
/// `lower.cmp(&name.to_ascii_lowercase())`.
pub(super) fn cmp_to_lowercase(lower: &[u8], name: &[u8]) -> Ordering {
    for (a, b) in lower.iter().zip(name) {
        match a.cmp(&b.to_ascii_lowercase()) {
            Ordering::Equal => {}
            unequal => return unequal,
        }
    }
    lower.len().cmp(&name.len())
}

/// Whether a list has no empty elements and no surrounding whitespace: the oracle
/// [`for_each_name`]'s answer is tested against.
#[cfg(test)]
fn is_tidy_list(value: &[u8]) -> bool {
    !value.is_empty()
        && trim_ows(value).len() == value.len()
        && value.split(|&b| b == b',').all(|e| !trim_ows(e).is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grant::util::is_token;

    /// The quick reading of a listed line agrees with the byte-by-byte one whenever it
    /// answers, and answers for the lines browsers send.
    #[test]
    fn listed_lines_agree_with_the_full_reading() {
        let names: Vec<Box<[u8]>> = ["content-type", "x-custom", "x-custom-2"]
            .iter()
            .map(|n| n.as_bytes().into())
            .collect();
        let lines = [
            "content-type,x-custom",
            "content-type, x-custom",
            "x-custom-2,x-custom",
            "x-custom",
            "x-custom-",
            "x-custom-22",
            "content-type,,x-custom",
            "content-type,",
            ",content-type",
            "content-type ,x-custom",
            "content-type,  x-custom",
            "Content-Type",
            "content-typex",
            "content-type,x-other",
            "",
            " ",
            "content-type\tx",
            "x-custom,x-custom,x-custom",
        ];
        for line in lines {
            for limit in [1, 2, 3, 50] {
                let quick = listed_line(line.as_bytes(), &names, limit);
                let mut count = 0;
                let full = for_each_name([&HeaderValue::from_static(line)], |name, shape| {
                    count += 1;
                    let listed = shape.token && names.iter().any(|n| **n == *name);
                    if count <= limit && listed {
                        Ok(())
                    } else {
                        Err(())
                    }
                });
                // Giving up is always safe: the full reading follows.
                if let Some(quick) = quick {
                    assert_eq!(full, Ok(quick.one_tidy_line), "{line:?}");
                    assert_eq!(quick.count, count, "{line:?}");
                }
            }
        }
        for line in [
            "content-type,x-custom",
            "content-type, x-custom",
            "x-custom",
        ] {
            assert!(listed_line(line.as_bytes(), &names, 50).is_some(), "{line}");
        }
    }

    /// One pass over the bytes finds the elements, in order, that splitting, trimming and
    /// checking each one do.
    #[test]
    fn names_are_the_trimmed_elements() {
        let lists = [
            "content-type,x-custom",
            "Content-Type, X-Custom",
            " a ,, b\t,",
            "",
            " ",
            ",",
            "a b, c",
            "a/b,c",
            "authorization",
            "\ta\t",
            "a ,b",
            "a\tb",
            ", a",
            "a,",
            "A b,c",
            "a,b c,d",
            "a , B ,",
            "a;b",
        ];
        let mut values: Vec<HeaderValue> =
            lists.iter().map(|l| HeaderValue::from_static(l)).collect();
        values.push(HeaderValue::from_bytes(b"x-\xe9t\xe9, y").unwrap());
        for value in &values {
            let mut expected = Vec::new();
            let _ = for_each_element::<()>([value], |e| {
                let uppercase = e.iter().any(u8::is_ascii_uppercase);
                expected.push((
                    e.to_vec(),
                    Shape {
                        token: is_token(e),
                        uppercase,
                    },
                ));
                Ok(())
            });
            let mut found = Vec::new();
            let tidy = for_each_name::<()>([value], |e, shape| {
                found.push((e.to_vec(), shape));
                Ok(())
            });
            assert_eq!(found, expected, "{value:?}");
            assert_eq!(tidy, Ok(is_tidy_list(value.as_bytes())), "{value:?}");
            assert_eq!(
                for_each_name::<()>([value, value], |_, _| Ok(())),
                Ok(false)
            );
        }
    }
}
