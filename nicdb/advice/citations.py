"""How advice cites the two public blog series nicdb started from (shown to users)."""

SEED_PCI = ("seed-001 (blog series 'VT6122 の性能' (1)-(3), moimoitei.blogspot.com, 2009-09-24 to 2009-09-30)")
SEED_GIGABIT = ("seed-000 (blog post 'linux で Gigabit', 2007-06-26, a Japanese Blogger blog summarising "
                "'How to achieve Gigabit speeds with Linux')")
