//! Seeded generator of realistic records with planted sensitive values.
//!
//! Benches, tests and `redactd demo` need data that looks like what flows
//! through real topics (JSON events, support chats, app logs with leaked
//! secrets) and must know exactly which sensitive values were planted, so
//! that "no planted value survives" can be asserted. Every planted value is
//! valid for its type (Luhn-valid cards, mod-97 IBANs, SSNs with legal
//! area/group/serial), and the output depends only on the seed.

/// A small, fast, seeded PRNG (xorshift64*): reproducible fixtures
/// without a dependency.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator for `seed` (0 is remapped: xorshift needs a non-zero state).
    pub fn new(seed: u64) -> Self {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    /// Uniform in `0..n` (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n.max(1)
    }
    /// One element of a non-empty slice.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn digits(&mut self, n: usize) -> String {
        (0..n)
            .map(|_| char::from(b'0' + self.below(10) as u8))
            .collect()
    }
    fn chars(&mut self, n: usize, alphabet: &[u8]) -> String {
        (0..n).map(|_| char::from(*self.pick(alphabet))).collect()
    }
}

/// A planted value: its type and its exact text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Planted {
    /// Entity type it must be found as.
    pub entity: &'static str,
    /// The value as planted.
    pub value: String,
}

/// What kind of records to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// JSON events with user, payment and device fields.
    JsonEvent,
    /// Support-chat text with names, phones and e-mails.
    Chat,
    /// Application log lines, some leaking credentials.
    Log,
    /// The same three shapes with nothing sensitive in them.
    Clean,
}

const FIRST: &[&str] = &[
    "James", "Maria", "Wei", "Aisha", "Olivia", "Mohammed", "Sofia", "Lucas", "Priya", "Daniel",
];
const LAST: &[&str] = &[
    "Smith", "Garcia", "Chen", "Khan", "Johnson", "Müller", "Rossi", "Nguyen", "Patel", "Brown",
];
const WORDS: &[&str] = &[
    "order", "shipped", "delivery", "refund", "status", "account", "update", "service", "request",
    "thanks", "please", "checking", "the", "and", "your", "ticket", "again", "today", "issue",
    "resolved", "payment", "pending", "queue",
];
const B62: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const HEX: &[u8] = b"0123456789abcdef";

/// A Luhn-valid 16-digit Visa number.
pub fn card(r: &mut Rng) -> String {
    let mut d: Vec<u8> = vec![4];
    d.extend((0..14).map(|_| r.below(10) as u8));
    d.push(crate::util::luhn_check_digit(&d));
    let s: String = d.iter().map(|x| char::from(b'0' + *x)).collect();
    format!("{} {} {} {}", &s[0..4], &s[4..8], &s[8..12], &s[12..16])
}

/// A US SSN with a legal area (001-665, 667-899), group and serial.
pub fn ssn(r: &mut Rng) -> String {
    let mut area = 1 + r.below(898);
    if area == 666 {
        area = 667;
    }
    format!("{area:03}-{:02}-{:04}", 1 + r.below(99), 1 + r.below(9999))
}

/// A German IBAN with a correct mod-97 check.
pub fn iban(r: &mut Rng) -> String {
    let bban = r.digits(18);
    // Check digits: move "DE00" to the end, letters to numbers (D=13, E=14).
    let num = format!("{bban}131400");
    let rem = num
        .bytes()
        .fold(0u64, |acc, b| (acc * 10 + u64::from(b - b'0')) % 97);
    let check = 98 - rem;
    let s = format!("DE{check:02}{bban}");
    s.as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join(" ")
}

fn email(r: &mut Rng) -> String {
    format!(
        "{}.{}{}@{}",
        r.pick(FIRST).to_lowercase(),
        r.pick(&["smith", "garcia", "chen", "khan", "lee"]),
        r.below(100),
        r.pick(&["example.com", "mail.example.org", "corp.example.net"])
    )
}

/// A North American number in an assigned area code (phone detectors
/// check numbers against the numbering plans, so a random area code would
/// be no phone number at all).
fn phone(r: &mut Rng) -> String {
    format!(
        "+1 ({}) {}-{}",
        r.pick(&[
            "212", "213", "305", "312", "415", "503", "617", "646", "702", "718", "805", "917"
        ]),
        200 + r.below(700),
        r.digits(4)
    )
}

fn ipv4(r: &mut Rng) -> String {
    format!(
        "{}.{}.{}.{}",
        11 + r.below(180),
        r.below(256),
        r.below(256),
        1 + r.below(254)
    )
}

fn aws_key(r: &mut Rng) -> String {
    format!("AKIA{}", r.chars(16, B32))
}

fn github_token(r: &mut Rng) -> String {
    let body = r.chars(30, B62);
    let mut crc = crc32fast::Hasher::new();
    crc.update(body.as_bytes());
    let mut n = crc.finalize();
    let mut tail = [b'0'; 6];
    for t in tail.iter_mut().rev() {
        *t = B62[(n % 62) as usize];
        n /= 62;
    }
    format!("ghp_{body}{}", String::from_utf8_lossy(&tail))
}

fn slack_token(r: &mut Rng) -> String {
    format!(
        "xoxb-{}-{}-{}",
        r.digits(12),
        r.digits(13),
        r.chars(24, B62)
    )
}

fn person(r: &mut Rng) -> String {
    format!("{} {}", r.pick(FIRST), r.pick(LAST))
}

fn sentence(r: &mut Rng, words: usize) -> String {
    (0..words)
        .map(|_| *r.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

fn uuid(r: &mut Rng) -> String {
    let h = r.chars(32, HEX);
    format!(
        "{}-{}-4{}-a{}-{}",
        &h[0..8],
        &h[8..12],
        &h[13..16],
        &h[17..20],
        &h[20..32]
    )
}

fn timestamp(r: &mut Rng) -> String {
    format!(
        "2026-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        1 + r.below(12),
        1 + r.below(28),
        r.below(24),
        r.below(60),
        r.below(60),
        r.below(1000)
    )
}

/// One record of `kind`, appending what was planted to `planted`.
pub fn record(r: &mut Rng, kind: Kind, planted: &mut Vec<Planted>) -> String {
    let mut plant = |entity: &'static str, value: String| {
        planted.push(Planted {
            entity,
            value: value.clone(),
        });
        value
    };
    match kind {
        Kind::JsonEvent => {
            let name = person(r);
            let (e, p, c, s, ip, ib) = (email(r), phone(r), card(r), ssn(r), ipv4(r), iban(r));
            let ts = timestamp(r);
            let id = uuid(r);
            let note = sentence(r, 8);
            format!(
                r#"{{"event":"checkout","id":"{id}","ts":"{ts}","user":{{"name":"{}","email":"{}","phone":"{}","ssn":"{}"}},"payment":{{"card":"{}","iban":"{}","amount":{}.{:02},"currency":"EUR"}},"device":{{"ip":"{}","ua":"Mozilla/5.0 (X11; Linux x86_64; rv:109.0) Gecko/20100101 Firefox/119.0"}},"note":"{note}"}}"#,
                plant("PERSON", name),
                plant("EMAIL_ADDRESS", e),
                plant("PHONE_NUMBER", p),
                plant("US_SSN", s),
                plant("CREDIT_CARD", c),
                plant("IBAN_CODE", ib),
                r.below(500),
                r.below(100),
                plant("IP_ADDRESS", ip),
            )
        }
        Kind::Chat => {
            let name = person(r);
            let (e, p, c) = (email(r), phone(r), card(r));
            format!(
                "Hi, my name is {}. {} You can reach me at {} or call {}. My card number is {} and {}.",
                plant("PERSON", name),
                sentence(r, 12),
                plant("EMAIL_ADDRESS", e),
                plant("PHONE_NUMBER", p),
                plant("CREDIT_CARD", c),
                sentence(r, 10)
            )
        }
        Kind::Log => {
            let ts = timestamp(r);
            match r.below(4) {
                0 => format!(
                    "{ts} INFO  deploy.aws Using credentials aws_access_key_id={} region=eu-west-1 request_id={}",
                    plant("AWS_ACCESS_KEY_ID", aws_key(r)),
                    uuid(r)
                ),
                1 => format!(
                    "{ts} WARN  ci.git push with token {} rejected for repo build-tools (attempt {})",
                    plant("GITHUB_TOKEN", github_token(r)),
                    r.below(5)
                ),
                2 => format!(
                    "{ts} ERROR notify.slack post failed: token={} channel=C{} status=401",
                    plant("SLACK_TOKEN", slack_token(r)),
                    r.digits(8)
                ),
                _ => format!(
                    "{ts} INFO  http 10.0.{}.{} - - \"POST /api/v2/orders HTTP/1.1\" 201 {} \"-\" \"curl/8.5.0\" user={}",
                    r.below(256),
                    r.below(256),
                    r.below(5000),
                    plant("EMAIL_ADDRESS", email(r))
                ),
            }
        }
        Kind::Clean => match r.below(3) {
            0 => format!(
                r#"{{"event":"page_view","id":"{}","ts":"{}","path":"/products/{}","ref":"search","duration_ms":{},"ua":"Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:121.0) Gecko/20100101 Firefox/121.0","build":"v{}.{}.{}"}}"#,
                uuid(r),
                timestamp(r),
                r.below(100_000),
                r.below(10_000),
                r.below(10),
                r.below(30),
                r.below(100)
            ),
            1 => format!(
                "{} INFO  worker-{} processed batch {} in {}ms (queue depth {}, commit {})",
                timestamp(r),
                r.below(16),
                uuid(r),
                r.below(900),
                r.below(300),
                r.chars(12, HEX)
            ),
            _ => format!(
                "Thanks for getting back to me. {}. {}.",
                sentence(r, 14),
                sentence(r, 9)
            ),
        },
    }
}

/// A newline-joined corpus of about `bytes` bytes cycling through `kinds`,
/// and everything planted in it.
pub fn corpus(seed: u64, bytes: usize, kinds: &[Kind]) -> (String, Vec<Planted>) {
    let mut r = Rng::new(seed);
    let mut out = String::with_capacity(bytes + 1024);
    let mut planted = Vec::new();
    let mut i = 0;
    while out.len() < bytes {
        let k = kinds[i % kinds.len()];
        out.push_str(&record(&mut r, k, &mut planted));
        out.push('\n');
        i += 1;
    }
    (out, planted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::validate;

    #[test]
    fn is_deterministic() {
        let a = corpus(
            7,
            10_000,
            &[Kind::JsonEvent, Kind::Chat, Kind::Log, Kind::Clean],
        );
        let b = corpus(
            7,
            10_000,
            &[Kind::JsonEvent, Kind::Chat, Kind::Log, Kind::Clean],
        );
        assert_eq!(a, b);
        assert_ne!(a.0, corpus(8, 10_000, &[Kind::JsonEvent]).0);
    }

    #[test]
    fn planted_values_are_valid() {
        let mut r = Rng::new(1);
        for _ in 0..200 {
            assert!(validate::luhn(card(&mut r).as_bytes()));
            let i = iban(&mut r);
            assert!(
                validate::by_name("iban_mod97").is_none_or(|v| v(i.as_bytes())),
                "{i}"
            );
            let s = ssn(&mut r);
            assert!(
                validate::by_name("us_ssn").is_none_or(|v| v(s.as_bytes())),
                "{s}"
            );
            let g = github_token(&mut r);
            assert!(
                validate::by_name("github_token_crc32").is_none_or(|v| v(g.as_bytes())),
                "{g}"
            );
        }
    }

    #[test]
    fn json_events_are_json() {
        let mut r = Rng::new(3);
        let mut p = Vec::new();
        for _ in 0..50 {
            let s = record(&mut r, Kind::JsonEvent, &mut p);
            serde_json::from_str::<serde_json::Value>(&s).expect("valid JSON");
        }
        assert_eq!(p.len(), 50 * 7);
    }
}
