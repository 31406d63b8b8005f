"""aligner: offline English-Chinese translation and sentence alignment for translators."""

__version__ = "0.1.0"
