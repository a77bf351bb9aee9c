//! Identifiers: dossiers, units and procedures.

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! string_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// Wraps a code as given by the host system.
            pub fn new(code: impl Into<String>) -> Self {
                Self(code.into())
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
                Self(code.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(code: String) -> Self {
                Self(code)
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
