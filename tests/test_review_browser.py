"""`aligner review` in a real browser: Debian's Chromium driven by Playwright.

The page is used as a reviewer uses it (keys, buttons); the file on disk is then read back.
"""

from __future__ import annotations

import os
import shutil

import pytest

from aligner.io.bitext_jsonl import read_bitext, write_bitext
from test_export_support import REPO, chromium, corpus_bitext, make_bitext, read_png
from test_review_edits import shifted

sync_api = pytest.importorskip("playwright.sync_api", reason="pip install playwright (the test extra)")
pytestmark = pytest.mark.skipif(chromium() is None,
                                reason="chromium is not installed (apt-get install -y chromium; .ci/run does)")


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as p:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start
        b = p.chromium.launch(executable_path=chromium(), args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield b
        b.close()


NEW_TEXT = "二〇〇九年一月二十五日，更新于一月二十六日"


def open_page(browser, srv):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(srv.url)
    page.wait_for_selector("body[data-ready='1']")
    page.errors = errors
    return page


def rows(page):
    return page.locator("#beads .bead")


def go_to(page, i):
    """Select bead i (0-based) with the keyboard."""
    current = page.evaluate("Array.from(document.querySelectorAll('#beads .bead')).findIndex(e => e.classList.contains('sel'))")
    key = "j" if i > current else "k"
    for _ in range(abs(i - current)):
        page.keyboard.press(key)
    assert page.locator("#beads .bead.sel .n").text_content() == str(i + 1)


def wait_message(page, text, timeout=10_000):
    sync_api.expect(page.locator("#message")).to_contain_text(text, timeout=timeout)


def pairs_of(path):
    bt = read_bitext(path)
    return bt, [(b.src, b.tgt) for b in bt.beads]


def test_review_session_edits_realigns_and_saves(browser, serve, tmp_path):
    gold_bt = corpus_bitext()
    gold = [(b.src, b.tgt) for b in gold_bt.beads]
    path = tmp_path / "article.en-zh.jsonl"
    write_bitext(shifted(gold_bt), path)  # bead 6 takes one target sentence too many, 7-11 follow wrongly
    original = path.read_bytes()
    srv = serve([path])
    page = open_page(browser, srv)
    n = len(gold)
    assert rows(page).count() == n

    # fix bead 6 (index 5): its second target sentence belongs to the next bead; then re-align
    go_to(page, 5)
    sync_api.expect(rows(page).nth(5).locator(".tgt .s")).to_have_count(2)
    page.keyboard.press("}")
    sync_api.expect(rows(page).nth(5).locator(".tgt .s")).to_have_count(1)
    page.keyboard.press("R")
    wait_message(page, "5 beads changed", timeout=120_000)  # the first loads the dictionary
    assert page.locator("#beads .bead.changed").count() == 5
    assert srv.editors[0].beads and [(b.src, b.tgt) for b in srv.editors[0].beads] == gold

    # merge beads 15 and 16 (index 14), by the button
    go_to(page, 14)
    page.get_by_role("button", name="Merge ↓").click()
    sync_api.expect(rows(page)).to_have_count(n - 1)
    # merge 13 and 14, split them again unevenly, and move the target sentence back
    go_to(page, 12)
    page.keyboard.press("m")
    sync_api.expect(rows(page)).to_have_count(n - 2)
    page.keyboard.press("s")
    page.select_option("#split-src", "1")
    page.select_option("#split-tgt", "0")
    page.click("#split-go")
    sync_api.expect(rows(page)).to_have_count(n - 1)
    sync_api.expect(rows(page).nth(12).locator(".tgt .s")).to_have_count(0)
    go_to(page, 13)
    page.keyboard.press("{")  # the first target sentence of bead 14 goes to bead 13
    sync_api.expect(rows(page).nth(12).locator(".tgt .s")).to_have_count(1)
    # edit the target of bead 3, approve bead 2
    go_to(page, 2)
    page.keyboard.press("e")
    page.fill("#edit-text", NEW_TEXT)
    page.keyboard.press("Control+Enter")
    sync_api.expect(rows(page).nth(2).locator(".tgt")).to_contain_text(NEW_TEXT)
    sync_api.expect(rows(page).nth(2).locator(".notes")).to_contain_text("was:")
    go_to(page, 1)
    page.keyboard.press("a")
    sync_api.expect(rows(page).nth(1).locator(".tag.approved")).to_have_count(1)
    # one edit too many, undone (and redone and undone again, by button and key)
    go_to(page, 16)
    page.keyboard.press("m")
    sync_api.expect(rows(page)).to_have_count(n - 2)
    page.keyboard.press("u")
    sync_api.expect(rows(page)).to_have_count(n - 1)
    page.get_by_role("button", name="Redo").click()
    sync_api.expect(rows(page)).to_have_count(n - 2)
    page.keyboard.press("Control+z")
    sync_api.expect(rows(page)).to_have_count(n - 1)
    assert path.read_bytes() == original  # nothing is written before a save
    page.keyboard.press("Control+s")
    wait_message(page, "saved article.en-zh.jsonl")
    assert page.errors == []

    merged = (gold[14][0] + gold[15][0], gold[14][1] + gold[15][1])
    expected = gold[:14] + [merged] + gold[16:]
    bt, got = pairs_of(path)
    assert got == expected
    assert path.with_name(path.name + ".bak").read_bytes() == original
    assert bt.tgt_text(bt.beads[2]) == NEW_TEXT
    assert bt.beads[2].origin == "edited" and bt.beads[2].meta["original_target"] == gold_bt.tgt_text(gold_bt.beads[2])
    assert bt.beads[1].meta["review"] == "approved"
    assert bt.beads[5].meta["review"] == "fixed"
    exp_src = [gold_bt.src_text(b) for b in gold_bt.beads]
    exp_tgt = [gold_bt.tgt_text(b) for b in gold_bt.beads]
    exp_tgt[2] = NEW_TEXT
    exp_src[14:16] = [exp_src[14] + " " + exp_src[15]]
    exp_tgt[14:16] = [exp_tgt[14] + exp_tgt[15]]
    assert [bt.src_text(b) for b in bt.beads] == exp_src
    assert [bt.tgt_text(b) for b in bt.beads] == exp_tgt
    for seg in bt.target.segments:
        assert bt.target.text[seg.start:seg.end] == seg.text

    # reload: a new server on the saved file shows the saved state
    page.close()
    page = open_page(browser, serve([path]))
    assert rows(page).count() == n - 1
    sync_api.expect(rows(page).nth(2).locator(".tgt")).to_contain_text(NEW_TEXT)
    sync_api.expect(page.locator("#summary")).to_contain_text("approved 1")
    page.close()


def test_a_second_tabs_stale_save_is_refused(browser, serve, tmp_path):
    path = tmp_path / "a.jsonl"
    write_bitext(corpus_bitext(), path)
    srv = serve([path])
    one, two = open_page(browser, srv), open_page(browser, srv)
    n = len(corpus_bitext().beads)
    one.keyboard.press("m")
    sync_api.expect(rows(one)).to_have_count(n - 1)
    one.keyboard.press("Control+s")
    wait_message(one, "saved")
    saved = path.read_bytes()
    two.keyboard.press("Control+s")
    wait_message(two, "changed in another tab")
    two.keyboard.press("m")  # edits from the stale tab are refused too
    wait_message(two, "changed in another tab")
    assert path.read_bytes() == saved
    # a change on disk by another program: the save is refused, the file kept
    one.keyboard.press("j")
    one.keyboard.press("m")
    sync_api.expect(rows(one)).to_have_count(n - 2)
    path.write_bytes(saved.replace(b'"score": null', b'"score": 0.5', 1))
    changed = path.read_bytes()
    one.keyboard.press("Control+s")
    wait_message(one, "changed on disk")
    assert path.read_bytes() == changed


def test_hostile_text_is_shown_as_text(browser, serve, tmp_path):
    evil = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
    path = tmp_path / "hostile.jsonl"
    write_bitext(make_bitext([(evil + " & more", "正常的句子。"), ("Fine.", evil)]), path)
    page = open_page(browser, serve([path]))
    assert page.evaluate("window.pwned") is None
    assert page.locator("#beads img, #beads script").count() == 0
    sync_api.expect(rows(page).nth(0).locator(".src")).to_contain_text(evil + " & more")
    sync_api.expect(rows(page).nth(1).locator(".tgt")).to_contain_text(evil)
    page.keyboard.press("/")
    page.keyboard.type("<script>")
    sync_api.expect(page.locator("#beads .bead:not(.hidden)")).to_have_count(2)
    assert page.errors == []


def test_keys_pressed_while_an_edit_is_on_its_way_are_applied_in_order(browser, serve, tmp_path):
    """A re-alignment takes a while: the reviewer moves on and keeps editing meanwhile. Every
    key is applied, after it and in order, each to the bead selected when it was pressed (the
    page once dropped an edit asked for while another was on its way)."""
    gold_bt = corpus_bitext()
    gold = [(b.src, b.tgt) for b in gold_bt.beads]
    path = tmp_path / "article.en-zh.jsonl"
    write_bitext(shifted(gold_bt), path)
    srv = serve([path])
    page = open_page(browser, srv)
    go_to(page, 5)
    page.keyboard.press("}")
    page.keyboard.press("R")  # no wait: the next keys are pressed while it runs
    go_to(page, 1)
    page.keyboard.press("a")
    page.keyboard.press("a")  # three times: approved, cleared, approved (each as the one before left it)
    page.keyboard.press("a")
    go_to(page, 15)
    page.keyboard.press("m")
    page.keyboard.press("Control+s")
    wait_message(page, "saved article.en-zh.jsonl", timeout=120_000)
    assert page.locator("#beads .bead.sel .n").text_content() == "16"  # the selection stayed where the reviewer went
    sync_api.expect(rows(page)).to_have_count(len(gold) - 1)
    sync_api.expect(rows(page).nth(1).locator(".tag.approved")).to_have_count(1)
    bt, got = pairs_of(path)
    assert got == gold[:15] + [(gold[15][0] + gold[16][0], gold[15][1] + gold[16][1])] + gold[17:]
    assert bt.beads[5].meta["review"] == "fixed" and bt.beads[1].meta["review"] == "approved"
    assert all(bt.beads[k].meta.get("realigned") for k in range(6, 11))
    assert page.errors == []


def test_editor_screenshot_of_the_corpus(browser, serve, tmp_path):
    """The editor after a few edits and a re-alignment, with the news glossary. Shows the
    highlights, an edited bead with its violation, an approved bead and the changed beads.
    ALIGNER_UPDATE_SCREENSHOT=1 writes it to docs/review-editor.png (in docs/review.md)."""
    from aligner.glossary import load_glossaries

    path = tmp_path / "article.en-zh.jsonl"
    write_bitext(shifted(corpus_bitext()), path)
    page = open_page(browser, serve([path], glossary=load_glossaries([REPO / "glossaries" / "news.tsv"])))
    go_to(page, 1)
    page.keyboard.press("e")
    page.fill("#edit-text", "大纪元时报记者报道")  # the reporter's name left out: a glossary violation
    page.keyboard.press("Control+Enter")
    sync_api.expect(rows(page).nth(1).locator(".notes")).to_contain_text("Gu Xiaohua")
    go_to(page, 2)
    page.keyboard.press("a")
    go_to(page, 5)
    page.keyboard.press("}")
    sync_api.expect(rows(page).nth(5).locator(".tgt .s")).to_have_count(1)
    page.keyboard.press("R")
    wait_message(page, "5 beads changed", timeout=120_000)
    sync_api.expect(page.locator("#vlist li")).to_have_count(1)  # the shifted beads' violations are gone
    go_to(page, 0)
    page.keyboard.press("n")  # the next to review: the edited bead's violation
    assert page.locator("#beads .bead.sel .n").text_content() == "2"
    page.keyboard.press("j")
    page.evaluate("window.scrollTo(0, 0)")
    sync_api.expect(page.locator("#summary")).to_contain_text("glossary 1")
    shot = tmp_path / "review-editor.png"
    page.screenshot(path=str(shot))
    image = read_png(shot)
    assert image.size == (1280, 900)
    # the changed beads carry the green mark: some pure-green pixels on the left edge
    pixels = image.load()
    assert any(pixels[x, y][1] > 140 and pixels[x, y][0] < 80 for x in range(10, 20) for y in range(120, 900))
    if os.environ.get("ALIGNER_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, REPO / "docs" / "review-editor.png")
    assert page.errors == []


def test_several_bitexts_are_a_list_to_choose_from(browser, serve, tmp_path):
    one, two = tmp_path / "one.jsonl", tmp_path / "two.jsonl"
    write_bitext(make_bitext([("A.", "甲。"), ("B.", "乙。")]), one)
    write_bitext(make_bitext([("C.", "丙。"), ("D.", "丁。"), ("E.", "戊。")]), two)
    before = one.read_bytes()
    page = open_page(browser, serve([one, two]))
    sync_api.expect(page.locator("#doc option")).to_have_count(2)
    assert rows(page).count() == 2
    page.select_option("#doc", "1")
    sync_api.expect(rows(page)).to_have_count(3)
    sync_api.expect(page.locator("#summary")).to_contain_text("two.jsonl")
    page.keyboard.press("m")
    sync_api.expect(rows(page)).to_have_count(2)
    page.keyboard.press("Control+s")
    wait_message(page, "saved two.jsonl")
    assert [(b.src, b.tgt) for b in read_bitext(two).beads] == [([0, 1], [0, 1]), ([2], [2])]
    assert one.read_bytes() == before
    page.select_option("#doc", "0")
    sync_api.expect(rows(page)).to_have_count(2)
    assert page.errors == []


def test_a_long_bitext_is_built_as_needed_and_edited_anywhere(browser, serve, tmp_path):
    n = 900
    pairs = [(f"Sentence number {k}.", f"第{k}句。") for k in range(n)]
    path = tmp_path / "long.jsonl"
    write_bitext(make_bitext(pairs, scores={k: 0.99 for k in range(n)} | {850: 0.2}), path)
    page = open_page(browser, serve([path]))
    sync_api.expect(page.locator("#summary")).to_contain_text(f"{n} beads")
    page.keyboard.press("n")  # the only bead to review is far below the first screen
    sync_api.expect(page.locator("#beads .bead.sel .n")).to_have_text("851")
    page.keyboard.press("m")
    sync_api.expect(page.locator("#summary")).to_contain_text(f"{n - 1} beads")
    sync_api.expect(page.locator("#beads .bead.sel .tgt .s")).to_have_count(2)
    page.keyboard.press("/")
    page.keyboard.type("Sentence number 870.")
    sync_api.expect(page.locator("#beads .bead:not(.hidden)")).to_have_count(1)
    sync_api.expect(page.locator("#beads .bead:not(.hidden) .n")).to_have_text("870")
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    wait_message(page, "saved long.jsonl")
    got = [(b.src, b.tgt) for b in read_bitext(path).beads]
    assert got == [([k], [k]) for k in range(850)] + [([850, 851], [850, 851])] + [([k], [k]) for k in range(852, n)]
    assert page.errors == []


def test_fuzzy_memory_matches_show_what_differs_from_the_new_sentence(browser, serve, argos_dir, tmp_path):
    """Beads translated with a translation memory (`translate --tm`, the fixture models) carry
    the fuzzy matches; the page shows the match's source against the new sentence, word by word
    for English and character by character for Chinese, as text."""
    from aligner.memory import Unit, open_memory
    from aligner.translate import translate_files

    spec = str(tmp_path / "memory.sqlite")
    with open_memory(spec) as tm:
        tm.add_units([Unit("The <i> party announced a new budget.", "该党公布了新预算。", "en", "zh-CN", origin="aligned")])
    en, zh = tmp_path / "news.en.txt", tmp_path / "news.zh.txt"
    en.write_text("Nothing here is in the memory.\nThe <i> party announced a new policy.\n", encoding="utf-8")
    zh.write_text("该党公布了新政策。\n", encoding="utf-8")
    out = tmp_path / "out"
    translate_files([en], "en", "zh", out, presplit=True, tm=spec, fuzzy_apply=True)  # the match applied
    translate_files([zh], "zh", "en", out, presplit=True, tm=spec)  # offered beside the MT
    page = open_page(browser, serve([out / "news.en-zh.jsonl", out / "news.zh-en.jsonl"]))

    page.keyboard.press("n")  # the applied fuzzy match is next to review (the first bead is MT)
    page.keyboard.press("n")
    assert page.locator("#beads .bead.sel .n").text_content() == "2"
    shown = rows(page).nth(1).locator(".tmatch")
    sync_api.expect(shown).to_have_count(1)
    sync_api.expect(shown.locator(".score")).to_have_text("TM 90%, applied")
    sync_api.expect(shown.locator("del")).to_have_text("budget")
    sync_api.expect(shown.locator("ins")).to_have_text("policy")
    sync_api.expect(shown.locator(".diff")).to_have_text("The <i> party announced a new budgetpolicy.")
    sync_api.expect(shown.locator(".tmt")).to_have_text("该党公布了新预算。")
    assert page.locator("#beads i, #beads .tmatch b").count() == 0  # the memory's text is shown as text
    assert rows(page).nth(0).locator(".tmatch").count() == 0
    # the bead as docs/review.md shows it (ALIGNER_UPDATE_SCREENSHOT=1 writes docs/review-fuzzy.png)
    shot = tmp_path / "review-fuzzy.png"
    rows(page).nth(1).screenshot(path=str(shot))
    image = read_png(shot)
    px = image.load()
    assert any(px[x, y][1] > px[x, y][0] + 20 and px[x, y][1] > 200  # the green of the new word
               for x in range(image.size[0]) for y in range(image.size[1]))
    if os.environ.get("ALIGNER_UPDATE_SCREENSHOT"):
        shutil.copyfile(shot, REPO / "docs" / "review-fuzzy.png")

    page.select_option("#doc", "1")
    shown = rows(page).nth(0).locator(".tmatch")
    sync_api.expect(shown.locator(".score")).to_have_text("TM 77%")
    sync_api.expect(shown.locator("del")).to_have_text("预算")
    sync_api.expect(shown.locator("ins")).to_have_text("政策")
    sync_api.expect(shown.locator(".tmt")).to_have_text("The <i> party announced a new budget.")
    assert page.errors == []
