//! Identifiers: dossiers, units and procedures.

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use std::sync::Arc;

/// Reads a string straight into shared text: one allocation, no intermediate `String`.
struct SharedText;

impl serde::de::Visitor<'_> for SharedText {
    type Value = Arc<str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, text: &str) -> Result<Arc<str>, E> {
        Ok(Arc::from(text))
    }
}

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        ///
        /// Shared, immutable text: cloning is a reference-count increment, so views and
        /// reports copy ids freely without allocating.
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(Arc<str>);

        impl $name {
            /// Wraps a code as given by the host system.
            pub fn new(code: impl AsRef<str>) -> Self {
                Self(Arc::from(code.as_ref()))
            }

            /// The code as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(code: &str) -> Self {
                Self(Arc::from(code))
            }
        }

        impl From<String> for $name {
            fn from(code: String) -> Self {
                Self(Arc::from(code))
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_str(SharedText).map(Self)
            }
        }
    };
}

string_id!(
    /// A dossier's code (*mã hồ sơ*), e.g. `H26.12-240105-0001`: the identity of one event stream.
    ///
    /// ```
    /// use motcua_core::DossierId;
    /// let id = DossierId::new("H26.12-240105-0001");
    /// assert_eq!(id.to_string(), "H26.12-240105-0001");
    /// ```
    DossierId
);
string_id!(
    /// A unit's code (*mã cơ quan / đơn vị*): an agency that receives or handles dossiers.
    UnitId
);
string_id!(
    /// A procedure's code (*mã thủ tục hành chính*), e.g. `1.001193`.
    ProcedureCode
);
