//! A note people write for the audit trail or an inspection (why a return was refused,
//! what was done about an incident, what the inspector saw): trimmed, at most 2000
//! characters, no control characters but line breaks and tabs. One rule for the API and
//! the pages.

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Note(String);

pub const MAX_CHARS: usize = 2000;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NoteError {
    #[error("must not be empty")]
    Empty,
    #[error("must be at most {MAX_CHARS} characters")]
    TooLong,
    #[error("must not contain control characters")]
    Control,
}

impl Note {
    /// A note that must be there.
    pub fn required(text: &str) -> Result<Note, NoteError> {
        Note::optional(Some(text))?.ok_or(NoteError::Empty)
    }

    /// A note that may be left out: nothing, or only spaces, is `None`.
    pub fn optional(text: Option<&str>) -> Result<Option<Note>, NoteError> {
        let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        if text.chars().count() > MAX_CHARS {
            return Err(NoteError::TooLong);
        }
        if text
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(NoteError::Control);
        }
        Ok(Some(Note(text.to_string())))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_string(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notes_are_trimmed_and_bounded() {
        // (text, what optional() gives)
        type Row<'a> = (Option<&'a str>, Result<Option<&'a str>, NoteError>);
        let table: [Row; 7] = [
            (None, Ok(None)),
            (Some("   "), Ok(None)),
            (Some(" box crushed "), Ok(Some("box crushed"))),
            (
                Some("line one\nline two\tend"),
                Ok(Some("line one\nline two\tend")),
            ),
            (Some("nul\u{0}here"), Err(NoteError::Control)),
            (Some(&"x".repeat(2000)), Ok(Some(&"x".repeat(2000)))),
            (Some(&"x".repeat(2001)), Err(NoteError::TooLong)),
        ];
        for (text, expected) in table {
            let got = Note::optional(text);
            assert_eq!(
                got.as_ref().map(|n| n.as_ref().map(Note::as_str)),
                expected.as_ref().map(|n| n.as_deref()),
                "{text:?}"
            );
        }
        assert_eq!(Note::required("  "), Err(NoteError::Empty));
    }
}
