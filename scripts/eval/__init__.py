"""Recall harness for redactd (issue 12, DESIGN section 11).

A seeded generator of labelled records and a scorer that runs the real
`redactd redact` binary over them. Each record carries the values that were
planted in it (must not survive) and the hard negatives (must survive byte
for byte), so the scorer needs no annotations from the engine.

Layout
------
model       Record, the per-record Collector and seed derivation
locales     the harness languages: faker and mimesis sources, people,
            addresses, phones, personal dates written the local way
checksums   check-digit generators and validators (cards, NPI, IBAN, ids)
negatives   hard-negative values (timestamps, ids, hashes, vitals, ...)
gen_json    JSON events        gen_chat      support chats (templates.json)
gen_clinical clinical notes    gen_hl7       HL7 v2 ADT/ORU messages
gen_log     application logs with secrets
gen         the record mix for a seed and a count; the records hash
vocab       the engine's shipped word lists, to mark names out of vocabulary
run         feeds the binary once, one line per record
score       leaks, keeps and structure checks per record, then totals
report      aligned tables, the --json figures and the --dump files
bars        the goal and ci bar sets of bars.json
selftest    the scorer checked against fake binaries
"""
