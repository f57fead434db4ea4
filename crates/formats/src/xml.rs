//! A small XML element tree with text and line numbers, read with quick-xml, as GENIUS's lenient
//! parser reads it: a byte-order mark, comments and declarations may come before the root in any
//! order. Used for GENIUS files here and for KTAB files by bc-stakeholders.

use std::path::Path;

use quick_xml::events::{BytesStart, Event};
use quick_xml::Reader;

use crate::error::Error;

/// One element: its tag, attributes in document order, text, children and the line it starts on.
#[derive(Debug, Clone, PartialEq)]
pub struct Element {
    /// Tag name.
    pub name: String,
    /// Attributes, unescaped, in document order.
    pub attrs: Vec<(String, String)>,
    /// Text directly inside the element (unescaped, CDATA included), trimmed.
    pub text: String,
    /// Child elements (text is ignored).
    pub children: Vec<Element>,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// The value of an attribute.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    /// Children with this tag, in order.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The first child with this tag.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }
}

/// Counts lines up to byte offsets, moving forward only.
struct Lines<'a> {
    text: &'a [u8],
    pos: usize,
    line: usize,
}

impl Lines<'_> {
    fn at(&mut self, offset: usize) -> usize {
        let offset = offset.min(self.text.len());
        if offset > self.pos {
            self.line += self.text[self.pos..offset].iter().filter(|b| **b == b'\n').count();
            self.pos = offset;
        }
        self.line
    }
}

/// Parses a document and returns its root element.
pub fn parse(file: &Path, text: &str) -> Result<Element, Error> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut reader = Reader::from_str(text);
    reader.config_mut().trim_text(true);
    let mut lines = Lines { text: text.as_bytes(), pos: 0, line: 1 };
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position() as usize;
        let event =
            reader.read_event().map_err(|e| Error::syntax(file, Some(lines.at(reader.error_position() as usize)), e.to_string()))?;
        // The event starts after any whitespace that precedes it.
        let skip = text.as_bytes()[start.min(text.len())..].iter().take_while(|b| b.is_ascii_whitespace()).count();
        let line = lines.at(start + skip);
        match event {
            Event::Start(e) => stack.push(element(file, line, &e)?),
            Event::Empty(e) => {
                let el = element(file, line, &e)?;
                attach(file, line, &mut stack, &mut root, el)?;
            }
            Event::End(_) => {
                let Some(mut el) = stack.pop() else {
                    return Err(Error::syntax(file, Some(line), "closing tag without an opening tag"));
                };
                el.text = el.text.trim().to_string();
                attach(file, line, &mut stack, &mut root, el)?;
            }
            Event::Text(t) => match stack.last_mut() {
                Some(el) => {
                    let s = t.unescape().map_err(|e| Error::syntax(file, Some(line), e.to_string()))?;
                    el.text.push_str(&s);
                }
                None => {
                    let content = String::from_utf8_lossy(t.as_ref()).trim().to_string();
                    if !content.is_empty() {
                        return Err(Error::syntax(file, Some(line), format!("text outside the root element: {:?}", truncate(&content))));
                    }
                }
            },
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&String::from_utf8_lossy(&t));
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(Error::syntax(file, Some(open.line), format!("element <{}> is never closed", open.name)));
    }
    root.ok_or_else(|| Error::syntax(file, Some(1), "no root element"))
}

fn attach(file: &Path, line: usize, stack: &mut [Element], root: &mut Option<Element>, el: Element) -> Result<(), Error> {
    match stack.last_mut() {
        Some(parent) => parent.children.push(el),
        None if root.is_none() => *root = Some(el),
        None => return Err(Error::syntax(file, Some(line), format!("a second root element <{}> after the first", el.name))),
    }
    Ok(())
}

fn element(file: &Path, line: usize, e: &BytesStart<'_>) -> Result<Element, Error> {
    let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
    let mut attrs = Vec::new();
    for a in e.attributes() {
        let a = a.map_err(|err| Error::syntax(file, Some(line), format!("<{name}>: {err}")))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let value = a.unescape_value().map_err(|err| Error::syntax(file, Some(line), format!("<{name}> @{key}: {err}")))?.into_owned();
        attrs.push((key, value));
    }
    Ok(Element { name, attrs, text: String::new(), children: Vec::new(), line })
}

fn truncate(s: &str) -> String {
    s.chars().take(40).collect()
}

/// Escapes text for an attribute value.
pub fn escape(s: &str) -> String {
    quick_xml::escape::escape(s).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tolerates_comment_before_declaration() {
        let text = "\n<!-- profile 1 -->\n<?xml version=\"1.0\"?>\n<a x=\"1\">\n  <b/>\n  <c y=\"&amp;\"></c>\n</a>\n";
        let root = parse(Path::new("f.xml"), text).unwrap();
        assert_eq!(root.name, "a");
        assert_eq!(root.line, 4);
        assert_eq!(root.children[0].line, 5);
        assert_eq!(root.children[1].attr("y"), Some("&"));
    }

    #[test]
    fn collects_trimmed_text_and_skips_a_byte_order_mark() {
        let doc = "\u{feff}<?xml version=\"1.0\"?>\n<a>\n  <!-- note -->\n  <b> 1.5 &amp; 2 </b>\n  <c><![CDATA[x<y]]></c>\n</a>\n";
        let root = parse(Path::new("t.xml"), doc).unwrap();
        assert_eq!(root.line, 2);
        let b = root.child("b").unwrap();
        assert_eq!((b.text.as_str(), b.line), ("1.5 & 2", 4));
        assert_eq!(root.child("c").unwrap().text, "x<y");
    }

    #[test]
    fn reports_unclosed_and_mismatched_tags_with_line() {
        let e = parse(Path::new("f.xml"), "<a>\n<b>\n</a>").unwrap_err();
        assert!(e.to_string().starts_with("f.xml:"), "{e}");
        let e = parse(Path::new("f.xml"), "<a>\n<b>").unwrap_err();
        assert!(e.to_string().contains("never closed") || e.to_string().contains("malformed"), "{e}");
        let e = parse(Path::new("f.xml"), "").unwrap_err();
        assert!(e.to_string().contains("no root"), "{e}");
        let e = parse(Path::new("f.xml"), "<a/><b/>").unwrap_err();
        assert!(e.to_string().contains("second root"), "{e}");
    }
}
