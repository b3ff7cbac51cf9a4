"""Builds a core's Solr configuration for Vietnamese search from CKAN's own schema.xml.

CKAN 2.12's schema.xml is kept as it is (every field CKAN and its extensions index stays the
same) and our fields are added beside it:

- title_vi         the title with its diacritics (lower-cased): an exact "bán" ranks above a
                   folded "bản" or "ban";
- title_fold, keywords_fold, notes_fold, text_fold
                   the same texts folded to ASCII ("thủ" and "thu" are one term), searched
                   with the synonyms and abbreviations of synonyms-vi.txt at query time;
- title_start      the folded title behind a start mark ("begins with" boost);
- title_prefix     folded edge n-grams of the title, for suggestions as the user types;
- spell_vi         titles, keywords, themes and places with diacritics, the spelling
                   dictionary ("Có phải bạn muốn tìm …").

Also writes synonyms_vi.txt (the reviewed file, lower-cased) and synonyms_vi_folded.txt (the
same folded, for the folded fields) into the core's conf folder.

    python build_schema.py CKAN_SCHEMA_XML SYNONYMS_FILE CONF_DIR
"""
from __future__ import annotations

import pathlib
import sys
import unicodedata

FIELD_TYPES = """
    <!-- Bình Dương: Vietnamese search (config/solr/build_schema.py) -->
    <fieldType name="text_vi_exact" class="solr.TextField" positionIncrementGap="100">
      <!-- A long title is as much about its topic as a short one: length counts less (b). -->
      <similarity class="solr.BM25SimilarityFactory"><float name="b">0.3</float></similarity>
      <analyzer type="index">
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
      </analyzer>
      <analyzer type="query">
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
        <filter class="solr.SynonymGraphFilterFactory" synonyms="synonyms_vi.txt" ignoreCase="true" expand="true"/>
        <filter class="solr.DelimitedBoostTokenFilterFactory"/>
      </analyzer>
    </fieldType>
    <fieldType name="text_vi_fold" class="solr.TextField" positionIncrementGap="100">
      <!-- A long title is as much about its topic as a short one: length counts less (b). -->
      <similarity class="solr.BM25SimilarityFactory"><float name="b">0.3</float></similarity>
      <analyzer type="index">
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
        <filter class="solr.ASCIIFoldingFilterFactory"/>
      </analyzer>
      <analyzer type="query">
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
        <filter class="solr.ASCIIFoldingFilterFactory"/>
        <filter class="solr.SynonymGraphFilterFactory" synonyms="synonyms_vi_folded.txt" ignoreCase="true" expand="true"/>
        <filter class="solr.DelimitedBoostTokenFilterFactory"/>
      </analyzer>
    </fieldType>
    <!-- The title behind a start mark, at index and query time alike: a phrase boost on it
         (pf2) rewards a title that begins with the searched words. -->
    <fieldType name="text_vi_start" class="solr.TextField" positionIncrementGap="100">
      <analyzer>
        <charFilter class="solr.PatternReplaceCharFilterFactory" pattern="^" replacement="bdstart "/>
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
        <filter class="solr.ASCIIFoldingFilterFactory"/>
      </analyzer>
    </fieldType>
    <fieldType name="text_vi_prefix" class="solr.TextField" positionIncrementGap="100">
      <analyzer type="index">
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
        <filter class="solr.ASCIIFoldingFilterFactory"/>
        <filter class="solr.EdgeNGramFilterFactory" minGramSize="1" maxGramSize="20" preserveOriginal="true"/>
      </analyzer>
      <analyzer type="query">
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
        <filter class="solr.ASCIIFoldingFilterFactory"/>
      </analyzer>
    </fieldType>
    <fieldType name="text_vi_spell" class="solr.TextField" positionIncrementGap="100">
      <analyzer>
        <tokenizer class="solr.StandardTokenizerFactory"/>
        <filter class="solr.LowerCaseFilterFactory"/>
      </analyzer>
    </fieldType>
"""

FIELDS = """
    <!-- Bình Dương: Vietnamese search (config/solr/build_schema.py) -->
    <field name="title_vi" type="text_vi_exact" indexed="true" stored="false"/>
    <field name="title_fold" type="text_vi_fold" indexed="true" stored="false"/>
    <field name="title_start" type="text_vi_start" indexed="true" stored="false" omitNorms="true"/>
    <field name="title_prefix" type="text_vi_prefix" indexed="true" stored="false" omitNorms="true"/>
    <field name="keywords_vi" type="text_vi_exact" indexed="true" stored="false" multiValued="true"/>
    <field name="keywords_fold" type="text_vi_fold" indexed="true" stored="false" multiValued="true"/>
    <field name="notes_fold" type="text_vi_fold" indexed="true" stored="false"/>
    <field name="text_fold" type="text_vi_fold" indexed="true" stored="false" multiValued="true"/>
    <field name="spell_vi" type="text_vi_spell" indexed="true" stored="false" multiValued="true"/>
"""

COPIES = {
    "title": ["title_vi", "title_fold", "title_start", "title_prefix", "text_fold", "spell_vi"],
    "tags": ["keywords_vi", "keywords_fold", "text_fold", "spell_vi"],
    # Themes are broad ("Dân số và xã hội" holds far more than population figures): they are
    # found, but weigh as description, not as the publisher's own keywords.
    "vocab_theme_labels": ["text_fold", "spell_vi"],
    "vocab_unit_names": ["text_fold", "spell_vi"],
    "notes": ["notes_fold", "text_fold"],
    "res_name": ["text_fold"],
    "res_description": ["text_fold"],
    "extras_*": ["text_fold"],
}

MARK = "Bình Dương: Vietnamese search"


def fold(text: str) -> str:
    """What Solr's ASCIIFoldingFilter does to Vietnamese letters."""
    text = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    return unicodedata.normalize("NFC", "".join(ch for ch in text if not unicodedata.combining(ch)))


def synonym_lines(source: str) -> list[str]:
    """The reviewed file's rules, lower-cased and in NFC; comments and blank lines dropped."""
    lines = []
    for raw in source.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            lines.append(unicodedata.normalize("NFC", line).lower())
    return lines


def build_schema(ckan_schema: str) -> str:
    if MARK in ckan_schema:
        raise ValueError("the schema already has our fields: give CKAN's own schema.xml")
    copies = "\n".join(f'<copyField source="{source}" dest="{dest}"/>'
                       for source, dests in COPIES.items() for dest in dests)
    schema = ckan_schema.replace("</types>", FIELD_TYPES + "</types>", 1)
    schema = schema.replace("</fields>", FIELDS + "</fields>", 1)
    schema = schema.replace("</schema>", f"<!-- {MARK} -->\n{copies}\n</schema>", 1)
    if schema.count(MARK) != 3:
        raise ValueError("CKAN's schema.xml no longer has <types>, <fields> and </schema> as expected")
    return schema


def main(argv: list[str]) -> int:
    ckan_schema, synonyms, conf = pathlib.Path(argv[1]), pathlib.Path(argv[2]), pathlib.Path(argv[3])
    conf.mkdir(parents=True, exist_ok=True)
    lines = synonym_lines(synonyms.read_text(encoding="utf-8"))
    outputs = {
        "schema.xml": build_schema(ckan_schema.read_text(encoding="utf-8")),
        "synonyms_vi.txt": "\n".join(lines) + "\n",
        "synonyms_vi_folded.txt": "\n".join(dict.fromkeys(fold(line) for line in lines)) + "\n",
    }
    for name, text in outputs.items():
        target = conf / name
        # Unchanged files are not rewritten, so their time tells whether a core needs a reload.
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
