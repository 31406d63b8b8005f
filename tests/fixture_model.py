"""Real Argos packages with known behaviour, built at test time (no download, no fake engine).

Each package is what `argospm` installs: a folder with `metadata.json`, `sentencepiece.model`
and `model/` (a CTranslate2 transformer). The transformer is a one-layer, one-head model whose
weights are set with numpy so that it copies source piece t to target position t through a
fixed word table (see /work/shared/docs/fixture-model.md):

* model width d = 1 + S + P: a bias unit, a one-hot block with a unit per distinct output
  piece S (source pieces rendered alike share one) and a one-hot block for P = MAX_POSITIONS
  positions (learned position table, no embedding scaling).
  A sum of one-hots in disjoint blocks has a fixed mean and variance, so layer norm only
  rescales it.
* every self-attention and feed-forward sub-layer has zero output weights (adds nothing);
* decoder cross-attention: queries and keys read the position block, so target position t
  attends to source position t; values copy the source piece's unit into the decoder's
  (otherwise unused) piece block; the output projection maps each unit to the target id of
  its output piece with a large weight;
* `add_source_eos`: the source ends in `</s>`, which maps to `</s>`, so decoding stops by itself
  after exactly as many pieces as the source has; every query also has a small constant
  attraction to the source's `</s>`, so the alternative hypotheses of beam search that run
  past the end finish at once.

The sentencepiece model has every table word as a `user_defined_symbols` entry, both bare and
with the word-start marker `▁` (a word after a space or at the start of a sentence), so a word
of the tables is always one whole piece. The Chinese words are the jieba segmentation of
corpus/article.zh.txt (the test suite checks this), with names and terms split where the
glossary work needs them (朱志强 = 朱 + 志强, 南京市 = 南京 + 市, 中共党员 = 中共 + 党员).

Fallback, for pieces the table does not know: the model copies the piece unchanged (an unknown
English word stays English in Chinese output, and the other way round); characters the
sentencepiece model has never seen become `<unk>`, which decodes to ` ⁇ `. The tables cover
every word of corpus/article.en.txt and corpus/article.zh.txt, so the seed article never hits
the fallback.

The tables deliberately render some names and terms WRONGLY (`WRONG_RENDERINGS`), so that the
glossary work can show enforcement correcting them. Sentences may have at most
MAX_POSITIONS - 1 pieces.
"""

from __future__ import annotations

import io
import json
import re
import string
import zipfile
from pathlib import Path

import numpy as np

REPO_CORPUS = Path(__file__).resolve().parent.parent / "corpus"
MAX_POSITIONS = 192
PACKAGE_VERSION = "0.1-fixture"

# Names and terms the fixture model gets wrong on purpose (source term -> wrong rendering).
WRONG_RENDERINGS: dict[str, dict[str, str]] = {
    "en-zh": {
        "Zhu Zhiqiang": "猪之墙",
        "Zhu": "猪",
        "cadre": "骨干",
        "cadres": "骨干",
        "CCP": "共产党的",
        "Nanjing": "南金",
        "Gu Xiaohua": "古小花",
        "Epoch Times": "时代周刊",
    },
    "zh-en": {
        "朱志强": "Pig Wall",
        "干部": "backbone",
        "中共": "Communist",
        "南京": "South Capital",
    },
}

# English word (as split by ENGLISH_WORD) -> Chinese, word for word.
EN_ZH: dict[str, str] = {
    "&": "和", "(": "（", ")": "）", ",": "，", "-": "-", ".": "。", ":": "：",
    "“": "“", "”": "”", "’": "’",
    "10": "10", "1981": "1981", "1994": "1994", "1999": "1999", "2008": "2008",
    "2009": "2009", "25": "25", "26": "26", "40": "40", "48": "48",
    "Beijing": "北京", "By": "由", "CCP": "共产党的", "Chinese": "中国", "Commenting": "评论",
    "Communist": "共产", "Corporation": "公司", "During": "在", "Epoch": "时代", "Ever": "一直",
    "First": "第一", "Former": "前", "Fourth": "第四", "Games": "运动会", "Goods": "物资",
    "Group": "集团", "Gu": "古", "He": "他", "In": "在", "It": "它", "January": "一月",
    "Jiangsu": "江苏", "Materials": "材料", "Military": "军", "Nanjing": "南金",
    "Notably": "值得注意的是", "Now": "既然", "Officer": "军官", "Olympic": "奥林匹克",
    "Party": "党", "Province": "省", "Region": "区", "Second": "第二", "Since": "自从",
    "Third": "第三", "This": "这", "Times": "周刊", "Today": "如今", "Updated": "更新",
    "Withdraws": "退出", "Xiaohua": "小花", "Zhiqiang": "之墙", "Zhu": "猪",
    "A": "一个", "And": "和", "But": "但", "His": "他的", "The": "该", "They": "他们",
    "a": "一个", "actions": "行为", "affiliated": "附属", "against": "对", "airing": "发表",
    "always": "总是", "an": "一个", "and": "和", "anti": "反", "any": "任何", "appeal": "上访",
    "appealing": "申诉", "are": "是", "arrested": "逮捕", "as": "因为", "at": "在",
    "authorities": "当局", "be": "被", "became": "成为", "become": "成为", "been": "一直",
    "before": "以前", "behavior": "行为", "branded": "扣上", "bravely": "勇敢地", "but": "但",
    "by": "被", "cadre": "骨干", "cadres": "骨干", "came": "开始", "can": "能够",
    "captain": "上尉", "charge": "负责", "civilian": "文职", "communist": "共产",
    "continue": "继续", "decided": "决定", "declared": "宣布", "defenseless": "手无寸铁的",
    "demobilized": "复员", "democratic": "民主", "does": "并", "efforts": "努力",
    "element": "分子", "enlisted": "参军", "exist": "存在", "experiences": "经历",
    "exposed": "揭发", "far": "远", "fleet": "车队", "for": "为", "four": "四", "free": "自由",
    "frightening": "可怕", "from": "从", "gained": "得到", "gave": "给出", "giving": "接受",
    "great": "重大", "harassment": "骚扰", "has": "已", "have": "有", "he": "他",
    "health": "医疗", "help": "帮助", "highest": "最高", "himself": "自己", "his": "他的",
    "horrors": "恐怖", "house": "住房", "illegal": "违法", "in": "在", "insurance": "保险",
    "interests": "利益", "interviews": "采访", "is": "是", "issued": "发表", "it": "它",
    "its": "其", "later": "后来", "led": "导致", "lest": "否则", "local": "当地",
    "longer": "再", "majority": "多数", "management": "管理", "many": "许多",
    "massive": "浩大", "meaningless": "毫无意义", "media": "媒体", "meeting": "会议",
    "membership": "党籍", "military": "军队", "million": "百万", "name": "姓名",
    "nature": "本质", "no": "没有", "not": "不", "nothing": "无", "null": "无效",
    "odds": "背道而驰", "of": "的", "old": "岁", "on": "在", "open": "开辟", "or": "或",
    "organizations": "组织", "over": "超过", "overseas": "海外", "overwhelming": "绝大",
    "own": "自身", "party": "党", "people": "人民", "plays": "耍", "plight": "困境",
    "position": "职务", "principle": "主要", "progressive": "进步", "promises": "承诺",
    "publish": "发表", "quitting": "退出", "real": "真实", "reasons": "理由", "recent": "近",
    "refusing": "拒绝", "resident": "居民", "responsibility": "责任", "retaliation": "报复",
    "s": "s", "said": "说", "see": "看清", "sent": "派", "service": "服务",
    "significance": "意义", "since": "自从", "stand": "站", "statement": "声明",
    "statements": "声明", "step": "一步", "stripped": "撤销", "submitted": "递交",
    "superior": "上级", "supervision": "监督", "support": "维持", "surveillance": "监控",
    "taking": "承担", "target": "对象", "that": "那", "the": "该", "their": "他们的",
    "think": "想想", "tide": "大潮", "to": "去", "tricks": "手段", "true": "真实", "up": "起来",
    "using": "使用", "vicious": "阴险", "victim": "受害者", "viewpoints": "意见",
    "void": "作废", "warned": "警告", "was": "被", "wave": "潮", "way": "道路", "where": "其中",
    "why": "为什么", "with": "与", "withdraw": "退出", "withdrawals": "退党", "within": "内",
    "work": "工作", "would": "会", "year": "年", "years": "年",
}

# Chinese word (jieba, with the splits above) -> English, word for word.
ZH_EN: dict[str, str] = {
    "1": "1", "10": "10", "1981": "1981", "1994": "1994", "1999": "1999", "2008": "2008",
    "2009": "2009", "25": "25", "26": "26", "48": "48",
    "“": "“", "”": "”", "、": ",", "。": ".", "（": "(", "）": ")", "，": ",", "：": ":",
    "一次": "once", "一直": "always", "一种": "a", "上": "on", "上尉": "captain",
    "上级": "superior", "上访": "petition", "下去": "on", "不": "not", "不寒而栗": "shudder",
    "不是": "is not", "中": "in", "中共": "Communist", "党员": "member", "中国": "Chinese",
    "中国共产党": "Chinese Communist Party", "为": "for", "主要": "main", "也": "also",
    "了": "already", "于": "on", "人": "people", "人民": "people", "从": "from",
    "从前": "before", "他": "he", "代表": "represent", "以": "with", "以来": "since",
    "任何": "any", "会": "would", "会议": "meeting", "但": "but", "住房": "housing",
    "作废": "void", "值得注意": "notably", "党": "party", "党内": "within the party",
    "公开": "publicly", "共产党": "Communist Party", "其": "its", "具有": "has",
    "军官": "officer", "决定": "decided", "出来": "out", "分子": "element", "列出": "listed",
    "利益": "interests", "到": "to", "前": "former", "办法": "way", "勇敢": "bravely",
    "北京": "Beijing", "医疗保险": "health insurance", "南京": "South Capital", "市": "City",
    "军区": "Military Region", "参军": "enlisted", "及其": "and its", "反党": "anti-party",
    "发表": "published", "发表声明": "issued a statement", "发表意见": "airing views",
    "后来": "later", "后果": "consequences", "向": "to", "否则": "otherwise", "和": "and",
    "四千万": "forty million", "四条": "four", "在": "in", "地站": "stand",
    "声势浩大": "massive", "声明": "statement", "复员": "demobilized", "大": "great",
    "大潮": "tide", "奥运会": "Olympic Games", "如今": "today", "姓名": "name",
    "媒体": "media", "存在": "exist", "它": "it", "安排": "assigned", "宣布": "declared",
    "对": "against", "对象": "target", "将": "would", "就": "then", "居民": "resident",
    "岁": "years old", "工作": "work", "已": "already", "已有": "already", "帽子": "label",
    "干部": "backbone", "年": "year", "并": "and", "开辟": "open", "当地": "local",
    "当局": "authorities", "得到": "get", "志强": "Wall", "朱": "Pig", "怎样": "what",
    "总是": "always", "恐怖": "horror", "想想": "think", "成为": "became",
    "所作所为": "actions", "手无寸铁": "defenseless", "手段": "tricks",
    "打击报复": "retaliation", "承担": "take", "承诺": "promises", "报道": "reports",
    "担任": "served as", "拒绝": "refuses", "招致": "bring", "接受": "accepting",
    "揭发": "exposed", "撤销职务": "dismissed", "文职": "civilian", "无": "no",
    "既然": "since", "日": "day", "时报": "Times", "是": "is", "更新": "updated",
    "最高": "highest", "月": "month", "服务": "serve", "期间": "during", "本质": "nature",
    "毫不": "not at all", "毫无意义": "meaningless", "毫无结果": "in vain",
    "民主": "democratic", "求助": "help", "江苏省": "Jiangsu Province", "没有": "no",
    "海外": "overseas", "潮": "wave", "物资": "Materials", "现年": "aged", "理由": "reasons",
    "生计": "living", "申诉": "appealed", "的": "of", "监控": "surveillance",
    "监督": "supervision", "看清": "saw", "真令人": "truly", "真实": "real", "第一": "First",
    "第三": "Third", "第二": "Second", "第四": "Fourth", "管理": "management", "纪元": "Epoch",
    "组织": "organizations", "经历": "experiences", "绝大多数": "overwhelming majority",
    "继续": "continue", "维持": "maintain", "耍": "play", "背道而驰": "at odds",
    "能够": "can", "与其": "with its", "自": "since", "自从": "since", "自由": "freely", "自身": "own",
    "被": "was", "被扣": "branded", "警告": "warned", "记者": "reporter", "许多": "many",
    "说": "said", "谈到": "speaking of", "负责": "in charge of", "责任": "responsibility",
    "超过": "over", "身份": "membership", "车队": "fleet", "转业": "transferred",
    "近年来": "in recent years", "这": "this", "这是": "this is", "进步": "progress",
    "违法行为": "illegal behavior", "退党": "quit the party", "退出": "withdraw",
    "递交": "submitted", "逮捕": "arrested", "道路": "way", "遭受": "suffered",
    "采访": "interviews", "重大意义": "great significance", "阴险": "vicious",
    "附属": "affiliated", "集团公司": "Group Corporation", "顾晓华": "Gu Xiaohua",
    "骚扰": "harassment",
}

TABLES = {"en-zh": EN_ZH, "zh-en": ZH_EN}
NAMES = {"en": "English", "zh": "Chinese"}

# How the tests split English into the table's words (sentencepiece does the real split).
ENGLISH_WORD = re.compile(r"\w+|[^\w\s]")
# English punctuation that attaches to the word before it (no word-start marker).
_ATTACH_LEFT = set(",.:;!?)”’")
SPECIALS = ["<unk>", "<s>", "</s>"]


def _target_piece(direction: str, target: str) -> str:
    if direction == "en-zh":
        return target  # Chinese: no spaces between words
    if target in _ATTACH_LEFT:
        return target
    return "▁" + target.replace(" ", "▁")


def piece_table(direction: str) -> dict[str, str]:
    """Source piece -> target piece, for both spellings of every word (bare and `▁`word)."""
    table: dict[str, str] = {}
    for word, target in TABLES[direction].items():
        tp = _target_piece(direction, target)
        table[word] = tp
        table["▁" + word] = tp
    return table


def _symbols(direction: str) -> list[str]:
    table = piece_table(direction)
    seen: dict[str, None] = {}
    for piece in list(table) + list(table.values()):
        seen.setdefault(piece, None)
    return list(seen)


def train_sentencepiece(direction: str) -> bytes:
    import sentencepiece as spm

    symbols = _symbols(direction)
    # A small bilingual text: every word and every rendering, so that each character the
    # tables use is in the model (anything else becomes <unk>).
    # Every character also stands alone, so that unknown words split into known characters
    # (which the model copies) rather than into <unk>.
    words = list(TABLES[direction]) + list(TABLES[direction].values())
    chars = sorted(set("".join(words)) | set(string.ascii_letters + string.digits + string.punctuation))
    chars = [c for c in chars if not c.isspace()]
    lines = [" ".join(words[i:i + 20]) for i in range(0, len(words), 20)]
    lines += [" ".join(chars), "".join(chars)]  # a lone "a" is the symbol "▁a": also unspaced
    model = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=model,
        vocab_size=len(symbols) + len(chars) + 40, hard_vocab_limit=False, model_type="unigram",
        user_defined_symbols=symbols, character_coverage=1.0, minloglevel=2,
        num_threads=1,
    )
    return model.getvalue()


def _build_ct2_model(vocab: list[str], table: dict[str, str], model_dir: Path) -> None:
    from ctranslate2.specs import transformer_spec

    # A unit per distinct OUTPUT piece: source pieces with the same rendering (`cadre`,
    # `▁cadre`, `▁cadres`) share one, which keeps the model narrow and fast.
    def output(piece: str) -> str:
        return piece if piece in SPECIALS else table.get(piece, piece)  # fallback: copy

    units: dict[str, int] = {}
    for piece in vocab:
        units.setdefault(output(piece), 1 + len(units))
    V, S, P = len(vocab), len(units), MAX_POSITIONS
    d = 1 + S + P
    index = {p: i for i, p in enumerate(vocab)}
    tok = np.array([units[output(p)] for p in vocab])  # unit of piece i
    src_units = 1 + np.arange(S)      # the piece block
    pos = 1 + S + np.arange(P)        # unit of position t
    f32 = np.float32

    def zeros(*shape):
        return np.zeros(shape, dtype=f32)

    def ln(spec):
        spec.gamma = np.ones(d, dtype=f32)
        spec.beta = zeros(d)

    spec = transformer_spec.TransformerSpec.from_config(1, 1)
    enc, dec = spec.encoder, spec.decoder
    for side in (enc, dec):
        side.scale_embeddings = False
        side.position_encodings.encodings = zeros(P, d)
        side.position_encodings.encodings[np.arange(P), pos] = 1.0
        ln(side.layer_norm)
        layer = side.layer[0]
        ln(layer.self_attention.layer_norm)
        layer.self_attention.linear[0].weight = zeros(3 * d, d)
        layer.self_attention.linear[1].weight = zeros(d, d)     # self-attention adds nothing
        ln(layer.ffn.layer_norm)
        layer.ffn.linear_0.weight = zeros(1, d)
        layer.ffn.linear_1.weight = zeros(d, 1)                 # feed-forward adds nothing

    enc.embeddings[0].weight = zeros(V, d)
    enc.embeddings[0].weight[np.arange(V), tok] = 1.0          # piece one-hot
    dec.embeddings.weight = zeros(V, d)
    dec.embeddings.weight[:, 0] = 1.0                          # decoder input: bias unit only

    att = dec.layer[0].attention
    ln(att.layer_norm)
    q = zeros(d, d)
    q[pos, pos] = 2.0                                          # query: own position
    kv = zeros(2 * d, d)
    kv[pos, pos] = 2.0                                         # key: source position
    kv[d + src_units, src_units] = 1.0                         # value: source piece one-hot
    # Past the end of the source no position matches; a small constant pull towards the
    # source's </s> then makes every such position output </s>. Beam search waits for
    # `beam_size` finished hypotheses, so hypotheses that went past the end must finish
    # rather than wander to max_decoding_length. A position match outweighs the pull.
    q[0, 0] = 1.0                                              # every decoder position asks...
    kv[0, units["</s>"]] = 1.0                                 # ...and </s> answers
    att.linear[0].weight = q
    att.linear[1].weight = kv
    out = zeros(d, d)
    out[src_units, src_units] = 4.0
    att.linear[2].weight = out

    proj = zeros(V, d)
    for target, unit in units.items():
        proj[index.get(target, index["<unk>"]), unit] = 8.0
    dec.projection.weight = proj
    dec.projection.bias = zeros(V)

    spec.config.add_source_eos = True
    spec.register_source_vocabulary(vocab)
    spec.register_target_vocabulary(vocab)
    spec.validate()
    spec.optimize(quantization=None)
    model_dir.mkdir(parents=True, exist_ok=True)
    spec.save(str(model_dir))


def package_name(direction: str) -> str:
    src, tgt = direction.split("-")
    return f"translate-{src}_{tgt}-fixture"


def build_package(direction: str, dest: str | Path) -> Path:
    """Build the package folder `dest/translate-SRC_TGT-fixture` and return it."""
    import sentencepiece as spm

    src, tgt = direction.split("-")
    root = Path(dest) / package_name(direction)
    root.mkdir(parents=True, exist_ok=True)
    sp_bytes = train_sentencepiece(direction)
    (root / "sentencepiece.model").write_bytes(sp_bytes)
    sp = spm.SentencePieceProcessor(model_proto=sp_bytes)
    vocab = [sp.id_to_piece(i) for i in range(sp.get_piece_size())]
    assert vocab[:3] == SPECIALS, vocab[:3]
    _build_ct2_model(vocab, piece_table(direction), root / "model")
    metadata = {
        "package_version": PACKAGE_VERSION, "argos_version": "1.9.0",
        "from_code": src, "from_name": NAMES[src], "to_code": tgt, "to_name": NAMES[tgt],
        "type": "translate", "links": [],
    }
    (root / "metadata.json").write_text(json.dumps(metadata, indent=2), encoding="utf-8")
    (root / "README.md").write_text(
        f"Test fixture: a word-for-word {NAMES[src]} to {NAMES[tgt]} model (tests/fixture_model.py).\n",
        encoding="utf-8")
    return root


def zip_package(package_dir: Path, dest_file: str | Path) -> Path:
    """Zip a package folder into an `.argosmodel` file (one top folder, as argospm expects)."""
    dest_file = Path(dest_file)
    with zipfile.ZipFile(dest_file, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for path in sorted(package_dir.rglob("*")):
            zf.write(path, Path(package_dir.name) / path.relative_to(package_dir))
    return dest_file


def build_argosmodel(direction: str, dest: str | Path) -> Path:
    dest = Path(dest)
    pkg = build_package(direction, dest / "build")
    return zip_package(pkg, dest / f"{package_name(direction)}.argosmodel")


def reference_translation(text: str, direction: str, sp_model: str | Path) -> str:
    """What the fixture model must output for `text`, computed without CTranslate2: split with
    the package's sentencepiece model, map each piece through the table, join."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    table = piece_table(direction)
    pieces = [table.get(p, p) for p in sp.encode(text, out_type=str)]
    return "".join(pieces).replace("▁", " ").strip()


def unknown_pieces(text: str, direction: str, sp_model: str | Path) -> list[str]:
    """Pieces of `text` the table does not cover (they would take the copy fallback)."""
    import sentencepiece as spm

    sp = spm.SentencePieceProcessor(model_file=str(sp_model))
    table = piece_table(direction)
    return [p for p in sp.encode(text, out_type=str) if p not in table]


if __name__ == "__main__":
    # python3 tests/fixture_model.py DIR: write both .argosmodel files into DIR, to try the
    # commands without a real model (`aligner models install DIR/translate-en_zh-fixture.argosmodel`).
    import sys
    import tempfile

    out = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        for direction in TABLES:
            built = build_package(direction, tmp)
            print(zip_package(built, out / f"{built.name}.argosmodel"))
