//! Enums over AWS string values that keep the values this version does not know.

macro_rules! string_enum {
    ($(#[$meta:meta])* $name:ident { $($(#[$vmeta:meta])* $variant:ident => $s:literal,)* }) => {
        $(#[$meta])*
        ///
        /// AWS adds values over time and a later drkit may name them, so a `match` needs a `_`
        /// arm.
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum $name {
            $($(#[$vmeta])* $variant,)*
            /// A value this version of drkit does not know, kept as AWS sent it.
            Other(String),
        }

        impl $name {
            /// The value as the AWS API spells it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $s,)*
                    $name::Other(s) => s,
                }
            }
            /// Parses the AWS spelling; unknown values become `Other`.
            pub fn from_aws(s: &str) -> Self {
                match s {
                    $($s => $name::$variant,)*
                    other => $name::Other(other.to_string()),
                }
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name::from_aws(s)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                Ok($name::from_aws(&<String as serde::Deserialize>::deserialize(d)?))
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use crate::cloud::{FailoverStatus, StackStatus};

    #[test]
    fn string_enums_round_trip_through_serde() {
        let s = serde_json::to_string(&StackStatus::UpdateRollbackComplete).unwrap();
        assert_eq!(s, "\"UPDATE_ROLLBACK_COMPLETE\"");
        let back: FailoverStatus = serde_json::from_str("\"switching-over\"").unwrap();
        assert_eq!(back, FailoverStatus::SwitchingOver);
    }
}
