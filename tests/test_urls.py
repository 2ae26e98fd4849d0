import pytest

from pipelines.urls import canonicalize_url, is_amp

PAIRS = [
    # The Hindu: tracking tags and fragment.
    (
        "https://www.thehindu.com/news/national/two-russian-stealth-frigates/article68440321.ece"
        "?utm_source=twitter&utm_medium=social#comments",
        "https://www.thehindu.com/news/national/two-russian-stealth-frigates/article68440321.ece",
    ),
    (
        "https://www.thehindu.com/news/national/s-400-delivery/article37654123.ece/amp/",
        "https://www.thehindu.com/news/national/s-400-delivery/article37654123.ece",
    ),
    (
        "HTTPS://WWW.TheHindu.com:443/news/international/article1.ece",
        "https://www.thehindu.com/news/international/article1.ece",
    ),
    # Indian Express: /amp/ segment and trailing /amp.
    (
        "https://indianexpress.com/article/india/assured-of-timely-delivery-6472874/amp/",
        "https://indianexpress.com/article/india/assured-of-timely-delivery-6472874/",
    ),
    (
        "https://indianexpress.com/article/india/indra-2021-exercise-7432011/?ref=hometop",
        "https://indianexpress.com/article/india/indra-2021-exercise-7432011/",
    ),
    # Hindustan Times: /amp/ path segment.
    (
        "https://www.hindustantimes.com/amp/india-news/rajnath-singh-in-russia-101599090.html",
        "https://www.hindustantimes.com/india-news/rajnath-singh-in-russia-101599090.html",
    ),
    (
        "https://m.hindustantimes.com/india-news/rajnath-in-moscow-101599090.html?utm_campaign=x",
        "https://hindustantimes.com/india-news/rajnath-in-moscow-101599090.html",
    ),
    # Times of India: amp_articleshow and .cms.
    (
        "https://timesofindia.indiatimes.com/india/s-400-delay/amp_articleshow/112345678.cms",
        "https://timesofindia.indiatimes.com/india/s-400-delay/articleshow/112345678.cms",
    ),
    (
        "https://timesofindia.indiatimes.com/india/s-400-delay/articleshow/112345678.cms"
        "?from=mdr&utm_source=contentofinterest",
        "https://timesofindia.indiatimes.com/india/s-400-delay/articleshow/112345678.cms?from=mdr",
    ),
    # Economic Times: mobile host and amp_articleshow.
    (
        "https://m.economictimes.com/news/defence/brahmos-deal/articleshow/98765432.cms",
        "https://economictimes.com/news/defence/brahmos-deal/articleshow/98765432.cms",
    ),
    (
        "https://economictimes.indiatimes.com/news/defence/ak-203/amp_articleshow/87654321.cms",
        "https://economictimes.indiatimes.com/news/defence/ak-203/articleshow/87654321.cms",
    ),
    # NDTV: amp. host, ?amp=1 and /amp/1.
    (
        "https://amp.ndtv.com/india-news/sco-meet-2020-rajnath-singh-namaste-2290946",
        "https://ndtv.com/india-news/sco-meet-2020-rajnath-singh-namaste-2290946",
    ),
    (
        "https://www.ndtv.com/india-news/make-with-india-1706612?amp=1&akamai-rum=off",
        "https://www.ndtv.com/india-news/make-with-india-1706612?akamai-rum=off",
    ),
    (
        "https://www.ndtv.com/india-news/make-with-india-1706612/amp/1",
        "https://www.ndtv.com/india-news/make-with-india-1706612",
    ),
    # TASS and RT.
    (
        "https://tass.com/defense/1790891?utm_source=google.com&utm_medium=organic",
        "https://tass.com/defense/1790891",
    ),
    (
        "https://tass.ru/armiya-i-opk/20845011?ito=rss#anchor",
        "https://tass.ru/armiya-i-opk/20845011",
    ),
    (
        "https://www.rt.com/india/612345-india-russia-relos-duma/?fbclid=IwAR0abc",
        "https://www.rt.com/india/612345-india-russia-relos-duma/",
    ),
    (
        "https://russian.rt.com/world/news/1234567-indiya-s-400?amp",
        "https://russian.rt.com/world/news/1234567-indiya-s-400",
    ),
    # International outlets.
    (
        "https://www.defensenews.com/global/asia-pacific/2024/04/19/brahmos-philippines/"
        "?outputType=amp",
        "https://www.defensenews.com/global/asia-pacific/2024/04/19/brahmos-philippines/",
    ),
    (
        "https://www.reuters.com/world/india/india-russia-deal-2025-12-05/?gclid=abc&mc_cid=1&mc_eid=2",
        "https://www.reuters.com/world/india/india-russia-deal-2025-12-05/",
    ),
    (
        "http://www.thequint.com/amp/story/news/india/putin-modi-meet-india-russia-summit",
        "http://www.thequint.com/story/news/india/putin-modi-meet-india-russia-summit",
    ),
    (
        "https://www.business-standard.com/amp/external-affairs/news/brahmos-124042100045_1.html",
        "https://www.business-standard.com/external-affairs/news/brahmos-124042100045_1.html",
    ),
    (
        "https://dtnext.in/amp/news/national/indian-navys-frigate-ins-tushil-814233",
        "https://dtnext.in/news/national/indian-navys-frigate-ins-tushil-814233",
    ),
    (
        "https://www.wionews.com/india-news/russia-delivers-ak-203.amp.html",
        "https://www.wionews.com/india-news/russia-delivers-ak-203.html",
    ),
    (
        "https://zeenews.india.com/india/rajnath-reaches-russia-2306012.amp",
        "https://zeenews.india.com/india/rajnath-reaches-russia-2306012",
    ),
    (
        "https://mobile.twitter.example.org/status/1?ref_src=twsrc&_ga=2.1",
        "https://twitter.example.org/status/1",
    ),
    (
        "https://www.livemint.com/news/india/relos-pact.html?z=2&a=1&cmpid=rss",
        "https://www.livemint.com/news/india/relos-pact.html?a=1&z=2",
    ),
    ("http://tass.com:80", "http://tass.com/"),
    ("http://Example.COM:8080/Path?B=2&a=1", "http://example.com:8080/Path?B=2&a=1"),
]


@pytest.mark.parametrize(("url", "expected"), PAIRS)
def test_canonical_form(url: str, expected: str) -> None:
    assert canonicalize_url(url) == expected


@pytest.mark.parametrize(("url", "expected"), PAIRS)
def test_idempotent(url: str, expected: str) -> None:
    assert canonicalize_url(expected) == expected
    assert canonicalize_url(canonicalize_url(url)) == canonicalize_url(url)


def test_force_https_upgrades_only_http() -> None:
    assert canonicalize_url("http://tass.com:80/defense/1", force_https=True) == (
        "https://tass.com/defense/1"
    )
    assert canonicalize_url("http://tass.com/a") == "http://tass.com/a"


def test_per_source_params_are_dropped() -> None:
    url = "https://idrw.org/?p=123&share=twitter&nb=1"
    assert canonicalize_url(url, drop_params=["share", "NB"]) == "https://idrw.org/?p=123"


def test_query_only_variants_agree() -> None:
    urls = [
        "https://www.ndtv.com/a-1?amp=1",
        "https://amp.ndtv.com/a-1",
        "https://www.ndtv.com/a-1#top",
        "https://www.ndtv.com/a-1?utm_source=x",
    ]
    assert {canonicalize_url(u).replace("://www.", "://") for u in urls} == {"https://ndtv.com/a-1"}


@pytest.mark.parametrize(
    ("url", "amp"),
    [
        ("https://amp.ndtv.com/x", True),
        ("https://www.ndtv.com/x?amp=1", True),
        ("https://x.com/a/amp/", True),
        ("https://x.com/a/articleshow/1.cms", False),
        ("https://x.com/amp_articleshow/1.cms", True),
        ("https://www.defensenews.com/a/?outputType=amp", True),
        ("https://www.thehindu.com/news/camp-life/article1.ece", False),
        ("https://www.thehindu.com/news/national/article1.ece", False),
    ],
)
def test_is_amp(url: str, amp: bool) -> None:
    assert is_amp(url) is amp


def test_segment_named_like_amp_is_kept() -> None:
    url = "https://example.com/news/ampere-motors/summer-camp"
    assert canonicalize_url(url) == url
