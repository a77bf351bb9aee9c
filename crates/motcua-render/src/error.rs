//! What can go wrong while rendering.

/// A renderer could not produce its text.
#[derive(Debug, thiserror::Error)]
pub enum RenderError {
    /// Writing into the output buffer failed (a `Display` implementation reported an error).
    #[error("rendering {what}: a value could not be formatted")]
    Format {
        /// What was being rendered (`"the HTML report"`, `"form 01"`…).
        what: &'static str,
    },
    /// A value could not be serialised to JSON.
    #[error("rendering {what} as JSON: {source}")]
    Json {
        /// What was being serialised.
        what: &'static str,
        /// Why.
        source: serde_json::Error,
    },
}

impl RenderError {
    /// The error for a failed `fmt::Write` while rendering `what`.
    pub(crate) fn format(what: &'static str) -> impl FnOnce(std::fmt::Error) -> RenderError {
        move |_| RenderError::Format { what }
    }
}
