"""Quote extraction and attribution: every mark form news uses, on real and real-looking text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import find_span
from reprints.model import Document
from reprints.quotes import extract_quotes, find_quotations

SPUTNIK = "000_01f78c86e39ec8cf.txt"
WIRE21 = "001_ea1662580eef0643.txt"
SOUTHFRONT = "002_0eec5a486a0ac0bb.txt"
DURAN = "004_dc875d24e25a1aad.txt"


def quotes_of(text: str, doc_id: str = "t.txt"):
    return extract_quotes(Document(doc_id, text))


def quote_at(quotes, text: str, needle: str):
    start, end = find_span(text, needle)
    hits = [q for q in quotes if (q.start, q.end) == (start, end)]
    assert hits, f"no quote spans exactly {needle!r}; got {[q.text[:40] for q in quotes]}"
    return hits[0]


# --- the seed quotes, with exact spans -------------------------------------------------------


def test_seed_q1_q2_double_curly_in_21wire_and_nested_single_in_duran(sample_texts):
    wire = sample_texts[WIRE21]
    wire_quotes = quotes_of(wire, WIRE21)
    for needle in ("US Air Force helicopter", "European origin"):
        quote_at(wire_quotes, wire, needle)
    duran = sample_texts[DURAN]
    duran_quotes = quotes_of(duran, DURAN)
    outer = quote_at(
        duran_quotes,
        duran,
        "The source said that on August 26, a ‘US Air Force helicopter’ had evacuated 2 Daesh field "
        "commanders of ‘European origin’ with members of their families from an area located to the "
        "north-west of Deir ez-Zor at night.\n\nAccording to his data, two days later, US choppers "
        "transferred 20 Daesh field commanders and militants close to them from an area south-eastern "
        "of the city of Deir ez-Zor to northern Syria",
    )
    for needle in ("US Air Force helicopter", "European origin"):
        inner = quote_at(duran_quotes, duran, needle)
        assert outer.start < inner.start < inner.end < outer.end
        # both fragments sit in one clause of the outer quotation: "The source said that …"
        assert inner.speaker == "The source" and inner.cue == "said"
    assert outer.speaker == "Sputnik" and outer.cue == "reports"


def test_seed_q3_false_and_the_never_closed_outer_quotation(sample_texts):
    sputnik = sample_texts[SPUTNIK]
    quote_at(quotes_of(sputnik, SPUTNIK), sputnik, "false.")
    wire = sample_texts[WIRE21]
    wire_quotes = quotes_of(wire, WIRE21)
    inner = quote_at(wire_quotes, wire, "false.")
    # the outer quotation opens with “ and is never closed: it runs to the end of its paragraph
    outer = quote_at(
        wire_quotes,
        wire,
        "When contacted by Sputnik, the Combined Joint Task Force of the Operation Inherent "
        "Resolve’s press office has called the allegations “false.”",
    )
    assert outer.start < inner.start and inner.end < outer.end


def test_seed_q4_safer_regions_and_its_long_source_quotation(sample_texts):
    south = sample_texts[SOUTHFRONT]
    quote_at(quotes_of(south, SOUTHFRONT), south, "safer regions")
    duran = sample_texts[DURAN]
    start, end = find_span(duran, "to safer regions")
    assert any(q.start < start and end < q.end for q in quotes_of(duran, DURAN))


# --- forms ------------------------------------------------------------------------------------


def test_multi_paragraph_quotation_reopens_each_paragraph_and_closes_once():
    text = (
        "The senator spoke for an hour.\n\n"
        "“We will not give up on the people of Ohio. They deserve better than this.\n\n"
        "“We will fight for every job, every factory and every family,” she said.\n\n"
        "Her rival did not respond."
    )
    quotes = quotes_of(text)
    assert len(quotes) == 1
    q = quotes[0]
    assert q.text.startswith("We will not give up") and q.text.endswith("every family")
    assert q.speaker_start is not None and text[q.speaker_start : q.speaker_end] == "she"


def test_quotation_closed_only_at_the_end_of_the_second_paragraph(sample_texts):
    duran = sample_texts[DURAN]
    [q] = [q for q in find_quotations(duran) if duran[q.start :].startswith("The source said")]
    assert q.paragraphs == 2 and " ".join(duran[q.start : q.end].split()).endswith("to northern Syria")


def test_unbalanced_opening_mark_runs_to_paragraph_end_only():
    text = (
        "The spokesman said: “We have no information about any evacuation\n\n"
        "Reporters were not allowed to ask questions."
    )
    [q] = quotes_of(text)
    assert q.text == "We have no information about any evacuation"


def test_stray_closing_mark_in_the_next_paragraph_does_not_swallow_it():
    # a newspaper typo (METER courts): the quotation is never closed, and the next
    # paragraph has a closing mark mid-way whose opening mark is missing
    text = (
        'Herbert allegedly told them: "I have got a list of the majority of the grasses\n\n'
        'During interviews, Herbert told detectives satisfying the Adams family was like feeding '
        'a ravenous dog", it was said. The case was adjourned until Thursday.'
    )
    [q] = quotes_of(text)
    assert q.text == "I have got a list of the majority of the grasses"
    assert q.speaker == "Herbert" and q.cue == "told"


def test_guillemets_and_german_low_high_quotes():
    french = "Le ministre a déclaré : « Nous ne céderons pas », selon l'AFP."
    [q] = quotes_of(french)
    assert q.text == "Nous ne céderons pas"
    german = "Die Kanzlerin sagte: „Wir schaffen das.“ Danach verließ sie den Saal."
    [q] = quotes_of(german)
    assert q.text == "Wir schaffen das."


def test_pa_wire_backtick_quotes():
    # METER's PA copy marks quotations ``like this'' and single ones `like this'
    text = (
        "Jack Straw has said he is ``minded'' to drop extradition proceedings against the\n"
        "former dictator. ``It is no answer to say that doesn't matter on the facts of this case,''\n"
        "said Mr Justice Maurice Kay.\n"
        "PINOCHET CHALLENGE `LEGALLY JUSTIFIED' - QC\n"
    )
    texts = [q.text for q in quotes_of(text)]
    assert "minded" in texts
    assert "LEGALLY JUSTIFIED" in texts
    long = [q for q in quotes_of(text) if q.text.startswith("It is no answer")]
    assert long and long[0].text.endswith("this case")
    assert long[0].speaker == "Maurice Kay"


def test_new_york_times_archive_double_apostrophes():
    text = (
        "''When Twitter says, 'We can't do this,' I don't believe that,'' said Hany Farid, "
        "chairman of the computer science department at Dartmouth."
    )
    quotes = quotes_of(text)
    outer = next(q for q in quotes if q.text.startswith("When Twitter"))
    assert outer.text.endswith("I don't believe that") and outer.speaker == "Hany Farid"
    inner = next(q for q in quotes if q.text == "We can't do this")
    assert inner.speaker == "Twitter"


def test_programme_titles_are_not_speech():
    text = 'Fiorina told "Fox and Friends," that the former president was fair game.'
    [q] = quotes_of(text)
    assert q.text == "Fox and Friends" and q.speaker is None


def test_apostrophes_are_not_quotation_marks():
    text = (
        "Trump's supporters don't care about the '90s, the voters' choice or rock 'n' roll, "
        "but they do care about the 'rigged' system, O'Neill said."
    )
    assert [q.text for q in quotes_of(text)] == ["rigged"]


def test_single_quotes_as_outer_marks_in_a_headline(sample_texts):
    texts = [q.text for q in quotes_of(sample_texts[SPUTNIK], SPUTNIK)]
    assert "We Are Rescuing Our Allies" in texts
    assert "Trump Must Comment" in texts


def test_short_scare_quote_is_unattributed(sample_texts):
    wire = sample_texts[WIRE21]
    q = quote_at(quotes_of(wire, WIRE21), wire, "conspiracy theory")
    assert q.kind == "scare" and q.speaker is None


# --- attribution ------------------------------------------------------------------------------


def test_apposition_cue_before_the_quote_with_medium(sample_texts):
    text = sample_texts[SPUTNIK]
    q = quote_at(
        quotes_of(text, SPUTNIK),
        text,
        "particularly people with evidence that could be used against the US [during] negotiations.",
    )
    assert q.kind == "attributed"
    assert q.speaker == "Karen Kwiatkowski"
    assert text[q.speaker_start : q.speaker_end] == "Karen Kwiatkowski"
    assert q.cue == "told Sputnik" and q.medium == "Sputnik"


def test_role_noun_resolves_to_the_named_speaker(sample_texts):
    text = sample_texts[SPUTNIK]
    quotes = quotes_of(text, SPUTNIK)
    q = quote_at(quotes, text, "That's inconsistent with the top level message from President Trump for sure")
    assert q.speaker == "Kwiatkowski" and q.cue == "added"
    assert text[q.speaker_start : q.speaker_end] == "the retired officer"
    # the next quotation in the paragraph has no cue of its own and keeps the speaker
    nxt = quote_at(quotes, text, "This set of relationships that the CIA, parts of the military and the State Department have with Daesh goes [back to before] Trump's administration. It seems like they're not following his orders here, but I'm sure there's a larger agenda at stake.")
    assert nxt.speaker == "Kwiatkowski"


def test_cue_after_the_quote_and_inverted_order():
    text = (
        "Obama spoke at a townhall in Ho Chi Minh City.\n\n"
        "“Usually, eventually the voters make good decisions and democracy works,” replied Obama. "
        "“Things are going to be ok,” he said."
    )
    first, second = quotes_of(text)
    assert first.speaker == "Obama" and first.cue == "replied"
    assert text[second.speaker_start : second.speaker_end] == "he" and second.speaker == "Obama"


def test_medium_named_in_the_sentence():
    text = (
        "Speaking to CNN’s Jake Tapper, Cruz said the nominee was “not fit to lead.” "
        "“That will be fair game,” Trump told NBC’s Today show."
    )
    first, second = quotes_of(text)
    assert (first.speaker, first.medium) == ("Cruz", "CNN")
    assert (second.speaker, second.medium) == ("Trump", "NBC")


def test_subjects_across_parentheses_long_appositions_and_coordination():
    text = (
        "Sen. Elizabeth Warren (D-MA) said Trump was a “proven failure” in business.\n\n"
        "Dean Johnson, a 55-year-old salesman from Sumter, South Carolina, says Cruz will "
        "“leave here with momentum.”\n\n"
        "Wilson praised Rubio’s positions on national defense and said the Florida senator can "
        "“bring positive change” to Washington.\n\n"
        "Paul then interjected, calling Rubio’s proposed child care credit “a welfare transfer payment.”"
    )
    speakers = [q.speaker for q in quotes_of(text)]
    assert speakers == ["Elizabeth Warren", "Dean Johnson", "Wilson", "Paul"]


def test_colon_intro_in_the_previous_paragraph(sample_texts):
    text = sample_texts[DURAN]
    quotes = quotes_of(text, DURAN)
    q = next(q for q in quotes if q.text.startswith("The source said"))
    assert q.speaker == "Sputnik" and q.cue == "reports"
    q = next(q for q in quotes if q.text.startswith("Amid successful actions"))
    assert q.speaker == "the source" and q.cue == "according to"


def test_press_office_speaker_and_medium_in_both_seed_versions(sample_texts):
    sputnik = sample_texts[SPUTNIK]
    a = quote_at(quotes_of(sputnik, SPUTNIK), sputnik, "false.")
    assert a.speaker == "The US-led coalition's press office" and a.medium == "Sputnik"
    wire = sample_texts[WIRE21]
    b = quote_at(quotes_of(wire, WIRE21), wire, "false.")
    assert b.speaker is not None and "Combined Joint Task Force" in b.speaker


# --- invariants -------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    ["word", "Smith", " ", " ", "\n", "\n\n", '"', "“", "”", "‘", "’", "'", "`", "``", "''", "«", "»",
     "„", ",", ".", ":", "said", "he", "told", "CNN", "don't", "according to", "the source"]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_quote_offsets_slice_back_to_the_text(text):
    for q in quotes_of(text):
        assert 0 <= q.start < q.end <= len(text)
        assert text[q.start : q.end] == q.text
        if q.speaker_start is not None:
            assert 0 <= q.speaker_start < q.speaker_end <= len(text)
