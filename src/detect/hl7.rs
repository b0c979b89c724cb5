//! HL7 v2 messages, redacted by segment and field position.
//!
//! An HL7 message names its patient in fixed places: PID-5 is the name,
//! PID-7 the birth date, PID-11 the address, whatever their values look
//! like (`WOOD^MELISSA^E`, `19670625`). Patterns alone find them by luck;
//! the positions in `patterns/dict/hl7_fields.txt` find them always. A
//! message is recognised by its `MSH` header, which also declares the
//! separators; segments end with a carriage return (or a line feed).

const FIELDS: &str = include_str!("../../patterns/dict/hl7_fields.txt");

/// One listed field: segment, field number, component range, type index.
#[derive(Debug, Clone, Copy)]
struct Rule {
    segment: [u8; 3],
    field: u16,
    first: u16,
    last: u16,
    ty: u16,
}

/// A component span and the index of its type in [`Hl7::types`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    pub start: usize,
    pub end: usize,
    pub ty: u16,
}

/// The compiled field table.
#[derive(Debug)]
pub struct Hl7 {
    rules: Vec<Rule>,
    types: Vec<String>,
}

impl Hl7 {
    /// Parses the embedded field table.
    pub fn build() -> Result<Hl7, String> {
        let mut rules = Vec::new();
        let mut types: Vec<String> = Vec::new();
        for (n, line) in FIELDS.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let err = |what: &str| format!("patterns/dict/hl7_fields.txt line {}: {what}", n + 1);
            let cols: Vec<&str> = line.split('\t').collect();
            let [seg, field, comps, ty] = cols[..] else {
                return Err(err("expected SEGMENT<TAB>field<TAB>components<TAB>TYPE"));
            };
            let segment: [u8; 3] = seg
                .as_bytes()
                .try_into()
                .map_err(|_| err("a segment name has three letters"))?;
            let field: u16 = field.parse().map_err(|_| err("field is a number"))?;
            let (first, last) = match comps {
                "*" => (1, u16::MAX),
                c => match c.split_once('-') {
                    Some((a, b)) => (
                        a.parse().map_err(|_| err("bad component range"))?,
                        b.parse().map_err(|_| err("bad component range"))?,
                    ),
                    None => {
                        let a = c.parse().map_err(|_| err("bad component"))?;
                        (a, a)
                    }
                },
            };
            if !super::pack::is_upper_snake(ty) {
                return Err(err("type is not an UPPER_SNAKE entity id"));
            }
            let t = match types.iter().position(|x| x == ty) {
                Some(t) => t,
                None => {
                    types.push(ty.to_string());
                    types.len() - 1
                }
            };
            rules.push(Rule {
                segment,
                field,
                first,
                last,
                ty: t as u16,
            });
        }
        Ok(Hl7 { rules, types })
    }

    /// The entity types of the table, by type index.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.types.iter().map(String::as_str)
    }

    /// A segment the table must find a value of type `t` in (the `patterns
    /// test` contract of its detector), built from the type's first rule.
    pub fn example(&self, t: usize) -> Option<String> {
        let r = self.rules.iter().find(|r| r.ty as usize == t)?;
        let seg = std::str::from_utf8(&r.segment).ok()?;
        let fields = "|".repeat(usize::from(r.field));
        let comps = "^".repeat(usize::from(r.first.saturating_sub(1)));
        Some(format!("{seg}{fields}{comps}QX4821"))
    }

    /// The field, component and repetition separators of `text` when it
    /// is an HL7 v2 message: one that starts with its `MSH` header (which
    /// declares them), or a bare segment of the table with the standard
    /// ones (`PID|1||…`, as messages are often logged piecemeal).
    pub fn separators(&self, text: &[u8]) -> Option<(u8, u8, u8)> {
        if text.len() > 8 && text.starts_with(b"MSH") {
            let (f, c, r) = (text[3], text[4], text[5]);
            let distinct = f != c && c != r && f != r;
            return (distinct && !f.is_ascii_alphanumeric() && !c.is_ascii_alphanumeric())
                .then_some((f, c, r));
        }
        let listed = text.len() > 4
            && text[3] == b'|'
            && self.rules.iter().any(|r| text.starts_with(&r.segment));
        listed.then_some((b'|', b'^', b'~'))
    }

    /// The end of the `MSH` header segment when `text` is a message that
    /// starts with one: the header names systems, message types (`ADT^A01`)
    /// and control ids, never the patient, so nothing in it is a finding.
    pub fn header_end(&self, text: &[u8]) -> Option<usize> {
        if !text.starts_with(b"MSH") {
            return None;
        }
        self.separators(text)?;
        Some(
            text.iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .unwrap_or(text.len()),
        )
    }

    /// Appends the listed components of every segment of the message.
    pub fn find(&self, text: &[u8], out: &mut Vec<Field>) {
        let Some((fsep, csep, rsep)) = self.separators(text) else {
            return;
        };
        let mut seg_start = 0;
        while seg_start < text.len() {
            let seg_end = text[seg_start..]
                .iter()
                .position(|&b| b == b'\r' || b == b'\n')
                .map_or(text.len(), |p| seg_start + p);
            self.segment(text, seg_start, seg_end, fsep, csep, rsep, out);
            seg_start = seg_end + 1;
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn segment(
        &self,
        text: &[u8],
        start: usize,
        end: usize,
        fsep: u8,
        csep: u8,
        rsep: u8,
        out: &mut Vec<Field>,
    ) {
        let seg = &text[start..end];
        if seg.len() < 4 || seg[3] != fsep || seg.starts_with(b"MSH") {
            return;
        }
        let name = &seg[..3];
        let rules: Vec<&Rule> = self.rules.iter().filter(|r| r.segment == name).collect();
        if rules.is_empty() {
            return;
        }
        // Fields after the segment name, numbered from 1.
        let mut field_no: u16 = 0;
        let mut fs = start + 4;
        loop {
            field_no += 1;
            let fe = text[fs..end]
                .iter()
                .position(|&b| b == fsep)
                .map_or(end, |p| fs + p);
            for r in rules.iter().filter(|r| r.field == field_no) {
                components(text, fs, fe, csep, rsep, r, out);
            }
            if fe >= end {
                break;
            }
            fs = fe + 1;
        }
    }
}

/// The non-empty components `r` lists of the field `text[fs..fe]`, in each
/// repetition.
fn components(
    text: &[u8],
    fs: usize,
    fe: usize,
    csep: u8,
    rsep: u8,
    r: &Rule,
    out: &mut Vec<Field>,
) {
    let mut rs = fs;
    while rs <= fe {
        let re = text[rs..fe]
            .iter()
            .position(|&b| b == rsep)
            .map_or(fe, |p| rs + p);
        let mut comp: u16 = 0;
        let mut cs = rs;
        loop {
            comp += 1;
            let ce = text[cs..re]
                .iter()
                .position(|&b| b == csep)
                .map_or(re, |p| cs + p);
            if comp >= r.first && comp <= r.last && ce > cs && !only_quotes(&text[cs..ce]) {
                out.push(Field {
                    start: cs,
                    end: ce,
                    ty: r.ty,
                });
            }
            if ce >= re || comp >= r.last {
                break;
            }
            cs = ce + 1;
        }
        if re >= fe {
            break;
        }
        rs = re + 1;
    }
}

/// HL7's explicit null `""`.
fn only_quotes(v: &[u8]) -> bool {
    v == b"\"\""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pid_fields_by_position() {
        let msg = "MSH|^~\\&|SYS|HOSP|||20240301120000||ADT^A01|MSG00001|P|2.5\rPID|1||70567604^^^HOSP^MR||WOOD^MELISSA^E||19670625|F|||444 Thomas Overpass^^Lunastad^UT^62815^USA||555-201-3344\rPV1|1|I|W^1^1|||||1234^HOUSE^GREGORY";
        let h = Hl7::build().expect("table");
        let types: Vec<&str> = h.types().collect();
        let mut out = Vec::new();
        h.find(msg.as_bytes(), &mut out);
        let got: Vec<(&str, &str)> = out
            .iter()
            .map(|f| (types[f.ty as usize], &msg[f.start..f.end]))
            .collect();
        assert_eq!(
            got,
            [
                ("MEDICAL_RECORD_NUMBER", "70567604"),
                ("PERSON", "WOOD"),
                ("PERSON", "MELISSA"),
                ("PERSON", "E"),
                ("DATE_TIME", "19670625"),
                ("LOCATION", "444 Thomas Overpass"),
                ("LOCATION", "Lunastad"),
                ("LOCATION", "UT"),
                ("LOCATION", "62815"),
                ("PHONE_NUMBER", "555-201-3344"),
                ("PERSON", "1234"),
                ("PERSON", "HOUSE"),
                ("PERSON", "GREGORY"),
            ]
        );
    }

    #[test]
    fn not_a_message() {
        let h = Hl7::build().expect("table");
        let mut out = Vec::new();
        h.find(b"XYZ|1||123||DOE^JOHN", &mut out);
        h.find(b"MSH|||", &mut out);
        assert!(out.is_empty());
        h.find(b"PID|1||123||DOE^JOHN", &mut out);
        assert_eq!(out.len(), 3);
    }
}
