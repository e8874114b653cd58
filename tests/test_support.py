"""Tests for rag.support: unit behaviour plus a labelled set of (passage, claim) pairs.

The labelled pairs below were written for this test, independently of the 20 dev pairs in
/work/shared/eval: passages from the corpus (C*) and general text (G*), and for each kind at least
30 claims. The scorer's default threshold was chosen on these pairs (see `test_threshold_choice`),
the dev pairs are only reported.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from index.text import tokens
from rag.support import (
    DEFAULT_THRESHOLD,
    Support,
    support,
    unsupported_reason,
)

DEV_PAIRS = Path("/work/shared/eval/grounding_pairs_dev.jsonl")

P = {
    # --- corpus passages (../shared/corpus) ---
    "C1": "In recent months, Alibaba has been making significant strides in artificial "
    "intelligence (AI), an area that has become increasingly competitive, particularly in the "
    "consumer-facing segment. The company’s shift in focus towards AI applications tailored for "
    "consumers, or “To C,” comes at a time when the market is buzzing with new players, most "
    "notably DeepSeek, an emerging AI competitor. Despite the growing prominence of DeepSeek, "
    "Alibaba has opted not to invest in this particular venture, a decision that speaks volumes "
    "about the company's evolving strategy in the AI space.",
    "C2": "Xu, recognized globally for his work in multimodal frameworks, will oversee "
    "foundational research and AI applications related to multimodal models and AI agents. This "
    "is significant, as it represents Alibaba’s first active recruitment of top-tier talent "
    "specifically focused on AI solutions for consumers, signaling the company’s intent to deepen "
    "its capabilities in this rapidly growing field.",
    "C3": "Just as ByteDance, the parent company of TikTok, made waves by directly courting elite "
    "AI experts to bolster its technological capabilities, Alibaba appears to be following suit, "
    "reinforcing its commitment to expanding its presence in AI.",
    "C4": "Alibaba’s decision to spin off its AI application project, Tongyi, in late 2022 from "
    "Alibaba Cloud and integrate it into the newly established Alibaba Intelligent Information "
    "Business Group, is a clear indication of the company’s growing commitment to the consumer AI "
    "space. This move consolidated Alibaba's AI resources under a business unit that already "
    "encompassed products like Quark, UC Browser, and Shuqir novels.",
    "C5": "The importance of Quark has only grown since its strategic positioning in 2023 as one "
    "of Alibaba's key innovations. Targeting young demographics, particularly students, Quark has "
    "transformed from a mere search product into a multifunctional AI assistant, with the company "
    "rebranding it as the “AI Universal Assistant for 200 million people.”",
    "C6": "However, Alibaba’s forays into the social application space have been less successful. "
    "The company’s failed attempt at launching “Laiwang,” a social messaging app, underscores the "
    "challenges Alibaba faces in engaging with consumers on a more personal level.",
    "C7": "Looking ahead, 2025 is expected to be a pivotal year in the AI landscape, with the "
    "technology continuing to mature and expand into new areas.",
    "C8": "Eddie Wu Yongming, new CEO of Alibaba Group, announced two strategic focuses for the "
    'company on Tuesday which he cited as being "User First" and "AI-Driven" approaches in the '
    "face of growing market competition.",
    "C9": "In a letter to company employees, Wu also put forward clear requirements for promoting "
    "a young managerial teams. In four years, the company plans to take the 1985s and 1990s "
    "managers to senior managerial positions.",
    "C10": "Alibaba Cloud, the digital technology department of Alibaba Group launched its large "
    "language model (LLM) Tongyi Qianwen in April, which allows AI content generation.",
    "C11": "On February 7, released its first LLM Wenxin Yiyan, and opened it to the public on "
    "August 31, aiming to compete with chatbots such as ChatGPT. Other Chinese companies, "
    "including Huawei, Tencent, and iFlytek, have also launched their own AI projects.",
    "C12": "Well, Beijing decided it was time to step in around 2020 when Alibaba’s founder Jack "
    "Ma started mouthing off about financial regulations. It was like a soap opera—Ma compared the "
    "regulators to an ‘old man’s club,’ and suddenly, the company faced fines, halted IPOs, and "
    "all sorts of scrutiny.",
    "C13": "For instance, they snapped up stakes in companies like SenseTime, which specializes in "
    "facial recognition and computer vision.",
    "C14": "In practical terms, Alibaba’s AI investments have led to real-world wins. For example, "
    "their AI tools have helped e-commerce sellers predict trends with scary accuracy, boosting "
    "sales by up to 20% in some cases.",
    "C15": "According to reports, Alibaba’s AI tech has helped reduce delivery times by 15% in "
    "crowded cities.",
    "C16": "In numbers, Alibaba’s AI investments hit over $10 billion by 2024, leading to "
    "breakthroughs like advanced NLP models. Here’s a breakdown: AI in e-commerce: Personalizing "
    "recommendations for over 1 billion users.",
    "C17": "By 2026, experts predict they’ll lead in AI-driven sustainability projects, reducing "
    "carbon footprints in supply chains.",
    "C18": "In 2020, Chinese regulators cracked down on Alibaba, issuing record-breaking fines for "
    "antitrust violations. The company was forced to restructure, pledging to create a fairer, "
    "more transparent business environment.",
    "C19": "Leveraging Unmatched Data Resources: With platforms like Taobao, Tmall, and Alipay "
    "under its umbrella, Alibaba has access to one of the largest and most diverse datasets in the "
    "world.",
    "C20": "Unlike ChatGPT, which is primarily English-focused, Alibaba’s model excels in Chinese "
    "language tasks and cultural understanding.",
    "C21": "On a cold November evening in Shanghai in 2020, the world’s largest IPO was abruptly "
    "canceled by Chinese regulators. It was Ant Group, the fintech affiliate of tech giant "
    "Alibaba. The company’s founder Jack Ma, one of China’s most famous billionaires, was under "
    "scrutiny for comments seemingly criticising the country’s financial regulators.",
    "C22": "I lived in the world’s second-largest economy for three years, from October 2018 to "
    "December 2021 when Alibaba was undergoing this significant shift. The company’s reach cannot "
    "be overstated from its humble beginnings in 1999 as a business to business online "
    "marketplace in the early days of the internet.",
    "C23": "Daniel Zhang, who had succeeded Ma as CEO and eventually chairman some years prior, "
    "unexpectedly announced plans to step down in 2023. His successors were two well-respected "
    "veterans, current CEO Eddie Wu and President Joe Tsai.",
    "C24": "Was Ma gone for good? It seemed not. In February, Ma was among a handful of "
    "entrepreneurs who met with Chinese President Xi Jinping in a rare meeting.",
    "C25": "U.S. District Judge Eumi K. Lee granted a temporary restraining order on Monday, "
    "blocking OpenAI from using the “cameo” mark or similar words like “Kameo” or “CameoVideo” for "
    "any function related to Sora, the company’s AI-generated video app.",
    "C26": "Lee granted the order after OpenAI was sued in October by Cameo, a platform that "
    "allows users to purchase personalized videos from celebrities.",
    "C27": "OpenAI has been pushing deeper into e-commerce in recent months. The company "
    "introduced a feature called Instant Checkout in September that allows users to make "
    "purchases directly from eligible merchants through ChatGPT.",
    "C28": "Tesla is trying to get its “FSD Supervised” technology approved for use in the "
    "Netherlands. But Dutch regulators are telling Tesla fans to stop pressuring safety authority "
    "RDW on the matter, and that their efforts will have “no influence” on the ultimate decision.",
    "C29": "The RDW corrected Tesla on Monday, saying in a statement on its official website, that "
    "such approval is not guaranteed and had not been promised.",
    "C30": "In the U.S., the National Highway Traffic Safety Administration opened an "
    "investigation into Tesla’s FSD-equipped vehicles in October following reports of widespread "
    "traffic violations tied to use of the systems.",
    "C31": "Musk has said the company aims to remove human driers in Austin, Texas, by the end of "
    "2025.",
    "C32": "Tesla didn’t immediately respond to a request for comment.",
    # --- general text ---
    "G1": "The Eiffel Tower was completed in March 1889 for the World's Fair in Paris. It is 330 "
    "metres tall and was the tallest man-made structure in the world for 41 years, until the "
    "Chrysler Building in New York was finished in 1930.",
    "G2": "Marie Curie was the first woman to win a Nobel Prize. She shared the 1903 Nobel Prize "
    "in Physics with Pierre Curie and Henri Becquerel, and won the Nobel Prize in Chemistry alone "
    "in 1911.",
    "G3": "The company reported quarterly revenue of $4.2 billion, up 12% from a year earlier, "
    "while net income fell 8% to $610 million as marketing costs increased.",
    "G4": "The city council voted 7 to 2 on Tuesday to approve the new bike lane on Main Street. "
    "Construction is expected to begin in May 2025 and cost about $1.3 million.",
    "G5": "Mount Everest, on the border between Nepal and China, is 8,849 metres high. It was "
    "first climbed in 1953 by Edmund Hillary and Tenzing Norgay.",
    "G6": "The museum will not open on Mondays during the winter season, but it extends its hours "
    "to 9 p.m. on Fridays.",
    "G7": "Python was created by Guido van Rossum and first released in 1991. Python 3.0 was "
    "released on December 3, 2008, and was not fully backward compatible with Python 2.",
    "G8": "The central bank raised its benchmark interest rate by 0.25 percentage points to 5.5%, "
    "the highest level in 22 years, citing persistent inflation.",
    "G9": "The drug reduced the risk of hospitalization by 30 percent in a trial of 2,400 adults, "
    "the company said, but it did not lower the death rate.",
    "G10": "Amazon acquired Whole Foods Market in 2017 for $13.7 billion in cash.",
    "G11": "The festival, held every summer in Edinburgh since 1947, attracts more than 3 million "
    "visitors each year.",
    "G12": "Shares of the carmaker dropped 9% on Wednesday after it cut its annual delivery "
    "forecast to 1.8 million vehicles.",
    "G13": "The bridge was closed temporarily after the storm, and officials said it would reopen "
    "on Friday once inspections are complete.",
    "G14": "Apple said its board had approved a $90 billion share buyback, the largest in the "
    "company's history.",
    "G15": "The study, published in Nature, followed 12,000 participants for ten years and found "
    "no link between coffee consumption and heart disease.",
    "G16": "Microsoft hired Mustafa Suleyman, a co-founder of DeepMind, to lead its new consumer "
    "AI division in March 2024.",
    # --- passages of the held-out pairs ---
    "H1": "Alibaba's shift towards consumer AI marks a departure from its historical focus on "
    "enterprise-level solutions, such as supply chain management and big data analytics.",
    "H2": "“The hallmark of Jack and his personality is that he never gave up,” Brian Wong, a "
    "former Alibaba executive and author of “The Tao of Alibaba,” told CNBC.",
    "H3": "Ma’s empire endured tightened regulations and even a nearly $3 billion antitrust fine "
    "in 2021.",
    "H4": "Nowhere is the company’s brand and scale more evident than during Singles Day, an "
    "annual shopping event pioneered by Alibaba that sees huge discounts and deals across its "
    "platforms. "
    "What was once a single day of discounts has now become a more prolonged event that runs "
    "several weeks.",
    "H5": "OpenAI announced a new tool called “shopping research” on Monday, right as consumers "
    "will be ramping up spending ahead of the holiday season.",
    "H6": "Shopping research is rolling out to OpenAI’s Free, Go, Plus and Pro users who are "
    "logged in to ChatGPT.",
    "H7": "The airline carried 4.6 million passengers in July, 9% more than a year earlier, and "
    "its load factor rose to 88%.",
    "H8": "The library, founded in 1895, holds more than 2 million books and is open to the public "
    "free of charge.",
    "H9": "The company said it would not raise prices this year, despite higher costs for steel "
    "and energy.",
    "H10": "Researchers at Stanford University found that the new battery lasted twice as long as "
    "lithium-ion cells in cold weather.",
    "H11": "The treaty was signed in Geneva on 12 August 1949 by 61 countries.",
    "H12": "Rainfall in the region fell by a third last winter, and reservoirs are now at 40% of "
    "capacity.",
}

SUPPORTED_KINDS = {"verbatim", "paraphrase"}

CASES: list[tuple[str, str, str]] = [
    # --- verbatim: the passage's own words ---
    ("verbatim", "C1", "Alibaba has opted not to invest in this particular venture."),
    ("verbatim", "C2", "Xu will oversee foundational research and AI applications related to "
     "multimodal models and AI agents."),
    ("verbatim", "C3", "ByteDance is the parent company of TikTok."),
    ("verbatim", "C4", "Alibaba decided to spin off its AI application project, Tongyi, in late "
     "2022 from Alibaba Cloud."),
    ("verbatim", "C5", "Quark has transformed from a mere search product into a multifunctional "
     "AI assistant."),
    ("verbatim", "C6", "Alibaba’s forays into the social application space have been less "
     "successful."),
    ("verbatim", "C7", "2025 is expected to be a pivotal year in the AI landscape."),
    ("verbatim", "C8", "Eddie Wu Yongming is the new CEO of Alibaba Group."),
    ("verbatim", "C9", "In four years, the company plans to take the 1985s and 1990s managers to "
     "senior managerial positions."),
    ("verbatim", "C10", "Alibaba Cloud launched its large language model Tongyi Qianwen in April."),
    ("verbatim", "C11", "Other Chinese companies, including Huawei, Tencent, and iFlytek, have "
     "also launched their own AI projects."),
    ("verbatim", "C13", "SenseTime specializes in facial recognition and computer vision."),
    ("verbatim", "C14", "Alibaba's AI tools have helped e-commerce sellers predict trends, "
     "boosting sales by up to 20% in some cases."),
    ("verbatim", "C15", "Alibaba’s AI tech has helped reduce delivery times by 15% in crowded "
     "cities."),
    ("verbatim", "C16", "Alibaba’s AI investments hit over $10 billion by 2024."),
    ("verbatim", "C18", "In 2020, Chinese regulators cracked down on Alibaba, issuing "
     "record-breaking fines for antitrust violations."),
    ("verbatim", "C19", "Alibaba has access to one of the largest and most diverse datasets in "
     "the world."),
    ("verbatim", "C20", "Alibaba’s model excels in Chinese language tasks and cultural "
     "understanding."),
    ("verbatim", "C21", "The world’s largest IPO was abruptly canceled by Chinese regulators in "
     "2020."),
    ("verbatim", "C22", "I lived in the world’s second-largest economy for three years, from "
     "October 2018 to December 2021."),
    ("verbatim", "C23", "Daniel Zhang unexpectedly announced plans to step down in 2023."),
    ("verbatim", "C24", "In February, Ma was among a handful of entrepreneurs who met with "
     "Chinese President Xi Jinping."),
    ("verbatim", "C25", "U.S. District Judge Eumi K. Lee granted a temporary restraining order on "
     "Monday."),
    ("verbatim", "C26", "OpenAI was sued in October by Cameo."),
    ("verbatim", "C27", "The company introduced a feature called Instant Checkout in September."),
    ("verbatim", "C28", "Tesla is trying to get its FSD Supervised technology approved for use in "
     "the Netherlands."),
    ("verbatim", "C29", "The RDW said such approval is not guaranteed and had not been promised."),
    ("verbatim", "C30", "The National Highway Traffic Safety Administration opened an "
     "investigation into Tesla’s FSD-equipped vehicles in October."),
    ("verbatim", "C32", "Tesla didn't immediately respond to a request for comment."),
    ("verbatim", "G1", "The Eiffel Tower was completed in March 1889 for the World's Fair in "
     "Paris."),
    ("verbatim", "G2", "Marie Curie was the first woman to win a Nobel Prize."),
    ("verbatim", "G5", "Mount Everest is 8,849 metres high."),
    ("verbatim", "G10", "Amazon acquired Whole Foods Market in 2017 for $13.7 billion in cash."),
    ("verbatim", "G8", "The central bank raised its benchmark interest rate by 0.25 percentage "
     "points to 5.5%."),
    # --- paraphrase: same facts, other words ---
    ("paraphrase", "C1", "Alibaba decided against investing in DeepSeek."),
    ("paraphrase", "C2", "Xu is known worldwide for his work on multimodal frameworks."),
    ("paraphrase", "C3", "Alibaba seems to be following ByteDance in courting elite AI experts."),
    ("paraphrase", "C4", "In late 2022 Alibaba spun Tongyi off from Alibaba Cloud."),
    ("paraphrase", "C4", "Quark, UC Browser and Shuqir novels were already part of that business "
     "unit."),
    ("paraphrase", "C5", "Quark is aimed at young users, especially students."),
    ("paraphrase", "C5", "Alibaba rebranded Quark as the AI Universal Assistant for 200 million "
     "people."),
    ("paraphrase", "C6", "Alibaba failed in its attempt to launch Laiwang, a social messaging "
     "app."),
    ("paraphrase", "C8", "Alibaba's new CEO, Eddie Wu Yongming, announced two strategic "
     "priorities: User First and AI-Driven."),
    ("paraphrase", "C9", "Wu wrote to employees setting out requirements for promoting young "
     "managerial teams."),
    ("paraphrase", "C10", "Tongyi Qianwen, a large language model, was launched by Alibaba Cloud "
     "in April."),
    ("paraphrase", "C11", "Huawei, Tencent and iFlytek have launched AI projects of their own."),
    ("paraphrase", "C12", "Around 2020, Beijing stepped in after Jack Ma mouthed off about "
     "financial regulations."),
    ("paraphrase", "C13", "Alibaba bought stakes in SenseTime, a company specializing in facial "
     "recognition and computer vision."),
    ("paraphrase", "C14", "In some cases, sales rose by up to 20% thanks to Alibaba's AI tools."),
    ("paraphrase", "C15", "Reports say Alibaba's AI cut delivery times by 15% in busy cities."),
    ("paraphrase", "C16", "By 2024 Alibaba's investments in AI had exceeded $10 billion."),
    ("paraphrase", "C16", "Alibaba's AI personalises recommendations for more than 1 billion "
     "users."),
    ("paraphrase", "C18", "Chinese regulators imposed record fines on Alibaba for antitrust "
     "violations in 2020."),
    ("paraphrase", "C18", "Alibaba had to restructure and pledged a fairer, more transparent "
     "business environment."),
    ("paraphrase", "C19", "Alibaba owns platforms such as Taobao, Tmall and Alipay."),
    ("paraphrase", "C21", "Chinese regulators abruptly cancelled the IPO in November 2020."),
    ("paraphrase", "C21", "Jack Ma, one of China's most famous billionaires, was under scrutiny "
     "for criticising financial regulators."),
    ("paraphrase", "C22", "Alibaba started out in 1999 as a business-to-business online "
     "marketplace."),
    ("paraphrase", "C23", "Eddie Wu and Joe Tsai succeeded Daniel Zhang."),
    ("paraphrase", "C24", "Jack Ma met Chinese President Xi Jinping in February along with a "
     "handful of other entrepreneurs."),
    ("paraphrase", "C25", "Judge Eumi K. Lee temporarily blocked OpenAI from using the cameo mark "
     "for Sora."),
    ("paraphrase", "C26", "Cameo, a platform where users purchase personalized videos from "
     "celebrities, sued OpenAI in October."),
    ("paraphrase", "C27", "Instant Checkout, introduced in September, lets users purchase "
     "directly from eligible merchants in ChatGPT."),
    ("paraphrase", "C28", "Dutch regulators told Tesla fans to stop pressuring the RDW."),
    ("paraphrase", "C29", "On Monday the RDW said approval had not been promised and was not "
     "guaranteed."),
    ("paraphrase", "C31", "Musk has said the company wants to remove human drivers in Austin by "
     "the end of 2025."),
    ("paraphrase", "G1", "The Eiffel Tower stood as the world's tallest man-made structure for 41 "
     "years."),
    ("paraphrase", "G2", "Marie Curie won the 1911 Nobel Prize in Chemistry on her own."),
    ("paraphrase", "G3", "Quarterly revenue grew 12% to $4.2 billion."),
    ("paraphrase", "G4", "The council approved a new bike lane on Main Street by a vote of 7 to "
     "2."),
    ("paraphrase", "G7", "Guido van Rossum created Python, which was first released in 1991."),
    ("paraphrase", "G9", "In a trial of 2,400 adults, the drug cut the risk of hospitalization by "
     "30%."),
    ("paraphrase", "G12", "The carmaker's shares fell 9% on Wednesday after it lowered its annual "
     "delivery forecast."),
    ("paraphrase", "G14", "Apple's board approved a share buyback worth $90 billion, the largest "
     "in its history."),
    ("paraphrase", "G16", "In March 2024 Microsoft hired DeepMind co-founder Mustafa Suleyman to "
     "lead its new consumer AI division."),
    # --- wrong-number ---
    ("wrong-number", "C5", "Alibaba rebranded Quark as the AI Universal Assistant for 300 million "
     "people."),
    ("wrong-number", "C9", "In three years, the company plans to take the 1985s and 1990s managers "
     "to senior managerial positions."),
    ("wrong-number", "C14", "Alibaba's AI tools boosted sales by up to 25% in some cases."),
    ("wrong-number", "C15", "Alibaba's AI tech reduced delivery times by 50% in crowded cities."),
    ("wrong-number", "C16", "Alibaba's AI investments hit over $20 billion by 2024."),
    ("wrong-number", "C16", "Alibaba personalises recommendations for over 2 billion users."),
    ("wrong-number", "C22", "I lived in the world's second-largest economy for five years."),
    ("wrong-number", "C22", "I lived in the world's third-largest economy for three years."),
    ("wrong-number", "C23", "Daniel Zhang's successors were three well-respected veterans."),
    ("wrong-number", "C8", "Eddie Wu Yongming announced three strategic focuses for the company."),
    ("wrong-number", "C2", "This represents Alibaba's second active recruitment of top-tier talent "
     "focused on AI for consumers."),
    ("wrong-number", "G1", "The Eiffel Tower is 300 metres tall."),
    ("wrong-number", "G1", "The Eiffel Tower was the tallest man-made structure for 14 years."),
    ("wrong-number", "G2", "Marie Curie shared the Nobel Prize in Physics with three other "
     "scientists."),
    ("wrong-number", "G3", "Quarterly revenue was $4.5 billion, up 12% from a year earlier."),
    ("wrong-number", "G3", "Net income fell 18% to $610 million."),
    ("wrong-number", "G3", "Net income fell 8% to $160 million."),
    ("wrong-number", "G4", "The city council voted 6 to 3 to approve the new bike lane."),
    ("wrong-number", "G4", "The bike lane will cost about $3.1 million."),
    ("wrong-number", "G5", "Mount Everest is 8,848 metres high."),
    ("wrong-number", "G8", "The central bank raised its benchmark rate by 0.5 percentage points to "
     "5.5%."),
    ("wrong-number", "G8", "The rate is now at its highest level in 32 years."),
    ("wrong-number", "G9", "The drug reduced the risk of hospitalization by 40 percent."),
    ("wrong-number", "G9", "The trial included 24,000 adults."),
    ("wrong-number", "G10", "Amazon bought Whole Foods for $17.3 billion."),
    ("wrong-number", "G11", "The Edinburgh festival attracts more than 5 million visitors each "
     "year."),
    ("wrong-number", "G12", "Shares of the carmaker dropped 19% on Wednesday."),
    ("wrong-number", "G12", "The carmaker cut its annual delivery forecast to 1.5 million "
     "vehicles."),
    ("wrong-number", "G14", "Apple's board approved a $19 billion share buyback."),
    ("wrong-number", "G15", "The study followed 12,000 participants for twelve years."),
    ("wrong-number", "G15", "The study followed 21,000 participants for ten years."),
    # --- wrong-date ---
    ("wrong-date", "C4", "Alibaba spun off Tongyi from Alibaba Cloud in late 2021."),
    ("wrong-date", "C5", "Quark was strategically positioned in 2022 as one of Alibaba's key "
     "innovations."),
    ("wrong-date", "C7", "2026 is expected to be a pivotal year in the AI landscape."),
    ("wrong-date", "C10", "Alibaba Cloud launched Tongyi Qianwen in March."),
    ("wrong-date", "C11", "Wenxin Yiyan was released on February 17."),
    ("wrong-date", "C11", "Wenxin Yiyan was opened to the public on August 30."),
    ("wrong-date", "C11", "The LLM was opened to the public on February 7."),
    ("wrong-date", "C12", "Beijing stepped in around 2018 when Jack Ma mouthed off about financial "
     "regulations."),
    ("wrong-date", "C16", "Alibaba's AI investments hit over $10 billion by 2022."),
    ("wrong-date", "C17", "By 2030, experts predict Alibaba will lead in AI-driven sustainability "
     "projects."),
    ("wrong-date", "C18", "Chinese regulators cracked down on Alibaba in 2019."),
    ("wrong-date", "C21", "Ant Group's IPO was canceled on a November evening in 2021."),
    ("wrong-date", "C21", "The IPO was canceled on a cold December evening in Shanghai."),
    ("wrong-date", "C22", "I lived in China from October 2017 to December 2021."),
    ("wrong-date", "C22", "Alibaba began in 1998 as a business to business marketplace."),
    ("wrong-date", "C23", "Daniel Zhang announced plans to step down in 2022."),
    ("wrong-date", "C24", "In March, Ma met Chinese President Xi Jinping."),
    ("wrong-date", "C26", "OpenAI was sued by Cameo in November."),
    ("wrong-date", "C27", "OpenAI introduced Instant Checkout in August."),
    ("wrong-date", "C30", "NHTSA opened an investigation into Tesla's FSD vehicles in September."),
    ("wrong-date", "C31", "Musk aims to remove human drivers in Austin by the end of 2026."),
    ("wrong-date", "C25", "Judge Lee granted the temporary restraining order on Tuesday."),
    ("wrong-date", "G1", "The Eiffel Tower was completed in May 1889."),
    ("wrong-date", "G1", "The Chrysler Building was finished in 1931."),
    ("wrong-date", "G2", "Marie Curie shared the 1905 Nobel Prize in Physics."),
    ("wrong-date", "G2", "Marie Curie won the Nobel Prize in Chemistry alone in 1903."),
    ("wrong-date", "G4", "Construction is expected to begin in June 2025."),
    ("wrong-date", "G5", "Everest was first climbed in 1963."),
    ("wrong-date", "G7", "Python 3.0 was released on December 3, 2009."),
    ("wrong-date", "G7", "Python was first released in 2008."),
    ("wrong-date", "G10", "Amazon acquired Whole Foods Market in 2016."),
    ("wrong-date", "G16", "Microsoft hired Mustafa Suleyman in March 2023."),
    ("wrong-date", "G11", "The Edinburgh festival has been held every summer since 1957."),
    # --- wrong-entity ---
    ("wrong-entity", "C1", "Alibaba has opted not to invest in Moonshot AI."),
    ("wrong-entity", "C3", "ByteDance is the parent company of Instagram."),
    ("wrong-entity", "C4", "In late 2022, Alibaba spun off Quark from Alibaba Cloud."),
    ("wrong-entity", "C4", "The business unit already included products like Quark, Chrome, and "
     "Shuqir novels."),
    ("wrong-entity", "C8", "Daniel Zhang, new CEO of Alibaba Group, announced two strategic "
     "focuses."),
    ("wrong-entity", "C10", "Alibaba Cloud launched its large language model Wenxin Yiyan in "
     "April."),
    ("wrong-entity", "C11", "Other Chinese companies, including Xiaomi and Tencent, have also "
     "launched their own AI projects."),
    ("wrong-entity", "C13", "Alibaba snapped up stakes in Megvii, which specializes in facial "
     "recognition."),
    ("wrong-entity", "C12", "Beijing stepped in around 2020 when Alibaba's founder Pony Ma started "
     "mouthing off about financial regulations."),
    ("wrong-entity", "C13", "Tencent snapped up stakes in SenseTime."),
    ("wrong-entity", "C18", "In 2020, American regulators cracked down on Alibaba."),
    ("wrong-entity", "C19", "With platforms like Taobao, JD.com and Alipay, Alibaba has access to "
     "one of the largest datasets in the world."),
    ("wrong-entity", "C20", "Unlike Claude, which is primarily English-focused, Alibaba's model "
     "excels in Chinese language tasks."),
    ("wrong-entity", "C21", "The world's largest IPO was abruptly canceled by regulators in Hong "
     "Kong in 2020."),
    ("wrong-entity", "C23", "Daniel Zhang's successors were current CEO Eddie Wu and President "
     "Jack Ma."),
    ("wrong-entity", "C24", "In February, Ma met with Chinese Premier Li Qiang."),
    ("wrong-entity", "C25", "Judge Eumi K. Lee blocked Google from using the cameo mark."),
    ("wrong-entity", "C26", "OpenAI was sued in October by Netflix."),
    ("wrong-entity", "C27", "Google introduced a feature called Instant Checkout in September."),
    ("wrong-entity", "C28", "Belgian regulators are telling Tesla fans to stop pressuring the "
     "RDW."),
    ("wrong-entity", "C29", "The European Commission corrected Tesla on Monday."),
    ("wrong-entity", "C30", "The National Transportation Safety Board opened an investigation into "
     "Tesla's FSD-equipped vehicles in October."),
    ("wrong-entity", "C31", "Musk has said the company aims to remove human drivers in Dallas by "
     "the end of 2025."),
    ("wrong-entity", "G1", "The Eiffel Tower was completed for the World's Fair in London."),
    ("wrong-entity", "G2", "Marie Curie shared the 1903 Nobel Prize in Physics with Albert "
     "Einstein."),
    ("wrong-entity", "G5", "Mount Everest was first climbed in 1953 by Edmund Hillary and Reinhold "
     "Messner."),
    ("wrong-entity", "G7", "Python was created by James Gosling and first released in 1991."),
    ("wrong-entity", "G10", "Walmart acquired Whole Foods Market in 2017."),
    ("wrong-entity", "G16", "Microsoft hired Demis Hassabis to lead its new consumer AI "
     "division."),
    ("wrong-entity", "G14", "Apple said its board had approved a $90 billion share buyback, the "
     "largest in Google's history."),
    ("wrong-entity", "G15", "The study, published in Science, found no link between coffee and "
     "heart disease."),
    # --- wrong-attribute: one property swapped ---
    ("wrong-attribute", "C2", "Xu is recognized globally for his work in multimodal datasets."),
    ("wrong-attribute", "C3", "ByteDance made waves by directly courting elite chip designers."),
    ("wrong-attribute", "C5", "Quark targets older demographics, particularly retirees."),
    ("wrong-attribute", "C5", "Quark has transformed from a mere search product into a "
     "multifunctional video editor."),
    ("wrong-attribute", "C6", "Laiwang was a failed social payments app."),
    ("wrong-attribute", "C8", "Eddie Wu announced two strategic focuses in the face of declining "
     "market competition."),
    ("wrong-attribute", "C9", "Wu put forward clear requirements for promoting older managerial "
     "teams."),
    ("wrong-attribute", "C10", "Alibaba Cloud launched its small language model Tongyi Qianwen in "
     "April."),
    ("wrong-attribute", "C10", "Tongyi Qianwen allows AI image generation."),
    ("wrong-attribute", "C13", "SenseTime specializes in speech recognition and computer vision."),
    ("wrong-attribute", "C14", "Alibaba's AI tools helped e-commerce buyers predict trends."),
    ("wrong-attribute", "C14", "Alibaba's AI tools boosted profits by up to 20% in some cases."),
    ("wrong-attribute", "C15", "Alibaba's AI tech has helped reduce delivery costs by 15% in "
     "crowded cities."),
    ("wrong-attribute", "C15", "Alibaba's AI tech has helped reduce delivery times by 15% in rural "
     "areas."),
    ("wrong-attribute", "C16", "Alibaba's AI investments led to breakthroughs like advanced "
     "robotics."),
    ("wrong-attribute", "C17", "Experts predict Alibaba will lead in AI-driven healthcare projects "
     "by 2026."),
    ("wrong-attribute", "C18", "Chinese regulators issued record-breaking fines for tax "
     "violations."),
    ("wrong-attribute", "C19", "Alibaba has access to one of the smallest datasets in the world."),
    ("wrong-attribute", "C20", "Alibaba's model excels in Chinese language tasks and mathematical "
     "reasoning."),
    ("wrong-attribute", "C21", "The world's largest bond sale was abruptly canceled by Chinese "
     "regulators."),
    ("wrong-attribute", "C21", "Ant Group was the e-commerce affiliate of Alibaba."),
    ("wrong-attribute", "C23", "His successors were two young newcomers, Eddie Wu and Joe Tsai."),
    ("wrong-attribute", "C25", "Judge Lee granted a permanent restraining order."),
    ("wrong-attribute", "C25", "The order blocks OpenAI from using the cameo mark for its "
     "AI-generated music app."),
    ("wrong-attribute", "C26", "Cameo is a platform that allows users to purchase personalized "
     "songs from celebrities."),
    ("wrong-attribute", "C28", "Dutch regulators are telling Tesla investors to stop pressuring "
     "the RDW."),
    ("wrong-attribute", "C30", "The investigation into Tesla's FSD-equipped vehicles followed "
     "reports of widespread battery fires."),
    ("wrong-attribute", "G3", "Quarterly profit rose 12% to $4.2 billion."),
    ("wrong-attribute", "G6", "The museum will not open on Mondays during the summer season."),
    ("wrong-attribute", "G8", "The central bank raised its benchmark interest rate to 5.5%, the "
     "lowest level in 22 years."),
    ("wrong-attribute", "G11", "The Edinburgh festival is held every winter."),
    ("wrong-attribute", "G12", "The carmaker cut its quarterly delivery forecast to 1.8 million "
     "vehicles."),
    ("wrong-attribute", "G13", "The bridge was closed permanently after the storm."),
    ("wrong-attribute", "G9", "The drug reduced the risk of death by 30 percent."),
    # --- contradiction: negated or opposite ---
    ("contradiction", "C1", "Alibaba invested in DeepSeek."),
    ("contradiction", "C5", "The importance of Quark has declined since 2023."),
    ("contradiction", "C6", "Alibaba's attempt at launching Laiwang succeeded."),
    ("contradiction", "C10", "Tongyi Qianwen does not allow AI content generation."),
    ("contradiction", "C12", "Beijing decided not to step in when Jack Ma mouthed off about "
     "financial regulations."),
    ("contradiction", "C14", "Alibaba's AI tools reduced sales for e-commerce sellers."),
    ("contradiction", "C15", "Alibaba's AI tech has increased delivery times in crowded cities."),
    ("contradiction", "C18", "Chinese regulators eased up on Alibaba in 2020."),
    ("contradiction", "C18", "The company was not forced to restructure."),
    ("contradiction", "C21", "The world's largest IPO went ahead as planned in 2020."),
    ("contradiction", "C22", "Alibaba was not undergoing any significant shift between 2018 and "
     "2021."),
    ("contradiction", "C23", "Daniel Zhang announced plans to stay on as CEO in 2023."),
    ("contradiction", "C24", "Ma refused to meet Chinese President Xi Jinping in February."),
    ("contradiction", "C25", "Judge Lee denied a temporary restraining order against OpenAI."),
    ("contradiction", "C25", "The order allows OpenAI to use the cameo mark."),
    ("contradiction", "C26", "OpenAI sued Cameo in October."),
    ("contradiction", "C28", "Dutch regulators said the fans' efforts will influence the "
     "decision."),
    ("contradiction", "C29", "The RDW said approval is guaranteed."),
    ("contradiction", "C32", "Tesla immediately responded to a request for comment."),
    ("contradiction", "G3", "Net income rose 8% to $610 million."),
    ("contradiction", "G3", "Revenue fell 12% from a year earlier."),
    ("contradiction", "G4", "The city council voted to reject the new bike lane on Main Street."),
    ("contradiction", "G6", "The museum is open on Mondays during the winter season."),
    ("contradiction", "G7", "Python 3.0 was fully backward compatible with Python 2."),
    ("contradiction", "G8", "The central bank cut its benchmark interest rate by 0.25 percentage "
     "points."),
    ("contradiction", "G9", "The drug lowered the death rate."),
    ("contradiction", "G10", "Amazon sold Whole Foods Market in 2017."),
    ("contradiction", "G12", "Shares of the carmaker rose 9% on Wednesday."),
    ("contradiction", "G13", "Officials said the bridge would not reopen."),
    ("contradiction", "G14", "Apple said its board had rejected a $90 billion share buyback."),
    ("contradiction", "G15", "The study found a strong link between coffee consumption and heart "
     "disease."),
    ("contradiction", "G2", "Marie Curie was not the first woman to win a Nobel Prize."),
    # --- not-mentioned: facts the passage does not contain ---
    ("not-mentioned", "C1", "DeepSeek was founded in 2023 by Liang Wenfeng."),
    ("not-mentioned", "C2", "Xu previously worked at Google DeepMind."),
    ("not-mentioned", "C3", "ByteDance pays elite AI experts twice the market salary."),
    ("not-mentioned", "C4", "The Alibaba Intelligent Information Business Group is headed by Wu "
     "Jia."),
    ("not-mentioned", "C5", "Quark is the most downloaded app in China."),
    ("not-mentioned", "C6", "Laiwang was shut down in 2019."),
    ("not-mentioned", "C7", "Alibaba plans to release a new AI chip in 2025."),
    ("not-mentioned", "C8", "Eddie Wu previously ran Alibaba's Taobao unit."),
    ("not-mentioned", "C9", "Wu's letter was sent to more than 200,000 employees."),
    ("not-mentioned", "C10", "Tongyi Qianwen was trained on 3 trillion tokens."),
    ("not-mentioned", "C11", "Wenxin Yiyan was developed by Baidu."),
    ("not-mentioned", "C13", "SenseTime is headquartered in Hong Kong."),
    ("not-mentioned", "C14", "Alibaba's AI tools are used by 5 million sellers."),
    ("not-mentioned", "C16", "Alibaba's NLP models outperform GPT-4 on Chinese benchmarks."),
    ("not-mentioned", "C18", "The fines forced Alibaba's stock down by half."),
    ("not-mentioned", "C19", "Alibaba's datasets are stored in data centers in Hangzhou."),
    ("not-mentioned", "C20", "Alibaba's model was trained mostly on product reviews."),
    ("not-mentioned", "C21", "Ant Group planned to raise $34.5 billion in the IPO."),
    ("not-mentioned", "C22", "The author is a CNBC reporter based in London."),
    ("not-mentioned", "C23", "Joe Tsai is a co-founder of Alibaba and owns the Brooklyn Nets."),
    ("not-mentioned", "C24", "The meeting took place in the Great Hall of the People."),
    ("not-mentioned", "C26", "Cameo was founded in 2017 in Chicago."),
    ("not-mentioned", "C27", "Instant Checkout charges merchants a 4% fee."),
    ("not-mentioned", "C28", "Tesla's FSD Supervised is already approved in China."),
    ("not-mentioned", "C30", "The investigation covers about 2.9 million vehicles."),
    ("not-mentioned", "C31", "Tesla's robotaxi service charges a flat fee per ride."),
    ("not-mentioned", "G1", "The Eiffel Tower attracts about 7 million visitors a year."),
    ("not-mentioned", "G5", "Mount Everest grows by about 4 millimetres every year."),
    ("not-mentioned", "G6", "The museum's café is closed on weekends."),
    ("not-mentioned", "G10", "Whole Foods had about 460 stores at the time of the deal."),
    ("not-mentioned", "G16", "Mustafa Suleyman previously founded Inflection AI."),
    ("not-mentioned", "G12", "The carmaker's chief executive blamed weak demand in Europe."),
    ("not-mentioned", "G11", "Tickets for the festival usually sell out within hours."),
    ("not-mentioned", "G4", "Residents of the street opposed the bike lane."),
]  # fmt: skip


# Written after the scorer and its threshold were settled, and scored once: a check that the
# figures on CASES are not an artefact of writing the rules and the cases together.
HOLDOUT: list[tuple[str, str, str]] = [
    ("verbatim", "H1", "Alibaba's shift towards consumer AI marks a departure from its "
     "historical focus on enterprise-level solutions."),
    ("verbatim", "H3", "Ma’s empire endured a nearly $3 billion antitrust fine in 2021."),
    ("verbatim", "H5", "OpenAI announced a new tool called shopping research on Monday."),
    ("verbatim", "H7", "The airline carried 4.6 million passengers in July."),
    ("verbatim", "H8", "The library holds more than 2 million books."),
    ("verbatim", "H11", "The treaty was signed in Geneva on 12 August 1949."),
    ("paraphrase", "H2", "Brian Wong, a former Alibaba executive, said Jack never gave up."),
    ("paraphrase", "H4", "Singles Day is a yearly shopping event that Alibaba pioneered."),
    ("paraphrase", "H6", "Shopping research is being rolled out to logged-in Free, Go, Plus and "
     "Pro users of ChatGPT."),
    ("paraphrase", "H9", "Despite higher steel and energy costs, the company said it will not "
     "raise prices this year."),
    ("paraphrase", "H10", "Stanford researchers found the new battery lasted twice as long as "
     "lithium-ion cells in the cold."),
    ("paraphrase", "H12", "Reservoirs in the region are at 40% of capacity after rainfall dropped "
     "by a third last winter."),
    ("wrong-number", "H3", "Ma's empire endured a nearly $5 billion antitrust fine in 2021."),
    ("wrong-number", "H7", "The airline carried 6.4 million passengers in July."),
    ("wrong-number", "H7", "Its load factor rose to 86%."),
    ("wrong-number", "H8", "The library holds more than 20 million books."),
    ("wrong-number", "H11", "The treaty was signed by 16 countries."),
    ("wrong-number", "H12", "Reservoirs are now at 30% of capacity."),
    ("wrong-date", "H3", "Ma's empire endured a nearly $3 billion antitrust fine in 2020."),
    ("wrong-date", "H7", "The airline carried 4.6 million passengers in June."),
    ("wrong-date", "H8", "The library was founded in 1859."),
    ("wrong-date", "H11", "The treaty was signed in Geneva on 21 August 1949."),
    ("wrong-date", "H11", "The treaty was signed in Geneva in September 1949."),
    ("wrong-date", "H5", "OpenAI announced the shopping research tool on Thursday."),
    ("wrong-entity", "H2", "Brian Wong is the author of The Tao of Tencent."),
    ("wrong-entity", "H2", "Brian Wong told Bloomberg that Jack never gave up."),
    ("wrong-entity", "H5", "Google announced a new tool called shopping research on Monday."),
    ("wrong-entity", "H6", "Shopping research is rolling out to users logged in to Gemini."),
    ("wrong-entity", "H10", "Researchers at Harvard University found that the new battery lasted "
     "twice as long."),
    ("wrong-entity", "H11", "The treaty was signed in Vienna on 12 August 1949."),
    ("wrong-attribute", "H1", "Alibaba's historical focus was on enterprise-level solutions such "
     "as social media analytics."),
    ("wrong-attribute", "H4", "Singles Day is a monthly shopping event pioneered by Alibaba."),
    ("wrong-attribute", "H4", "What was once a single day of discounts now runs several months."),
    ("wrong-attribute", "H9", "The company said it would not raise wages this year."),
    ("wrong-attribute", "H10", "The new battery lasted twice as long as lithium-ion cells in hot "
     "weather."),
    ("wrong-attribute", "H12", "Rainfall in the region fell by a third last summer."),
    ("contradiction", "H2", "Brian Wong said Jack often gave up."),
    ("contradiction", "H5", "OpenAI launched the tool as consumers were cutting back spending "
     "ahead of the holidays."),
    ("contradiction", "H7", "The airline's load factor fell to 88%."),
    ("contradiction", "H8", "The library charges the public an entry fee."),
    ("contradiction", "H9", "The company said it would raise prices this year."),
    ("contradiction", "H12", "Rainfall in the region rose by a third last winter."),
    ("not-mentioned", "H1", "Alibaba's enterprise business generated most of its profits in "
     "2023."),
    ("not-mentioned", "H3", "Jack Ma moved to Tokyo after the fine."),
    ("not-mentioned", "H6", "Shopping research will cost Plus users an extra $5 per month."),
    ("not-mentioned", "H8", "The library is the oldest in the country."),
    ("not-mentioned", "H10", "The battery will go on sale in 2026."),
    ("not-mentioned", "H12", "The government has introduced water rationing in the region."),
]  # fmt: skip


def _confusion(pred: list[bool], gold: list[bool]) -> dict[str, float]:
    tp = sum(p and g for p, g in zip(pred, gold, strict=True))
    tn = sum(not p and not g for p, g in zip(pred, gold, strict=True))
    fp = sum(p and not g for p, g in zip(pred, gold, strict=True))
    fn = sum(not p and g for p, g in zip(pred, gold, strict=True))
    n = len(gold)
    acc = (tp + tn) / n
    tpr = tp / (tp + fn) if tp + fn else 1.0
    tnr = tn / (tn + fp) if tn + fp else 1.0
    pe = ((tp + fp) * (tp + fn) + (tn + fn) * (tn + fp)) / (n * n)
    kappa = (acc - pe) / (1 - pe) if pe < 1 else 1.0
    return {"accuracy": acc, "balanced_accuracy": (tpr + tnr) / 2, "kappa": kappa}


ALL = CASES + HOLDOUT


def _own_results(threshold: float = DEFAULT_THRESHOLD) -> tuple[list[bool], list[bool]]:
    pred = [support(claim, P[pid], threshold).supported for _, pid, claim in ALL]
    gold = [kind in SUPPORTED_KINDS for kind, _, _ in ALL]
    return pred, gold


# --- the labelled set itself ------------------------------------------------------------------


def test_labelled_set_is_large_enough():
    kinds = [kind for kind, _, _ in ALL]
    for kind in (
        "verbatim",
        "paraphrase",
        "wrong-number",
        "wrong-date",
        "wrong-entity",
        "wrong-attribute",
        "contradiction",
        "not-mentioned",
    ):
        assert kinds.count(kind) >= 30, kind


def test_own_pairs_balanced_accuracy_floor():
    # Measured at the default threshold: accuracy 0.915, balanced accuracy 0.935, kappa 0.80
    # (CASES alone 0.915 / 0.933 / 0.80; HOLDOUT alone 0.917 / 0.944 / 0.80).
    pred, gold = _own_results()
    stats = _confusion(pred, gold)
    assert stats["balanced_accuracy"] >= 0.9, stats
    assert stats["kappa"] >= 0.75, stats


def test_own_pairs_per_kind_floor():
    pred, _ = _own_results()
    by_kind: dict[str, list[bool]] = {}
    for (kind, _, _), p in zip(ALL, pred, strict=True):
        by_kind.setdefault(kind, []).append(p == (kind in SUPPORTED_KINDS))
    acc = {k: sum(v) / len(v) for k, v in by_kind.items()}
    # Numbers, dates and names are hard requirements: these must be nearly perfect.
    for kind in ("verbatim", "wrong-number", "wrong-date"):
        assert acc[kind] >= 0.95, acc
    for kind in ("paraphrase", "wrong-entity", "contradiction", "not-mentioned"):
        assert acc[kind] >= 0.85, acc
    # Known weakness: a swapped attribute outside the contrast lexicon ("multimodal datasets"
    # for "multimodal frameworks") looks like a paraphrase to any lexical scorer.
    assert acc["wrong-attribute"] >= 0.4, acc


def test_threshold_choice():
    """The default sits inside the best balanced-accuracy band on the labelled pairs.

    Hard requirements decide most pairs; the threshold only separates the rest. Balanced
    accuracy is flat (0.932-0.934) from 0.54 to 0.64 and falls off on both sides; 0.6 is its
    middle.
    """
    gold = [kind in SUPPORTED_KINDS for kind, _, _ in ALL]
    scored = [support(claim, P[pid]) for _, pid, claim in ALL]

    def bal(t: float) -> float:
        pred = [not (s.missing or s.conflicts) and s.score >= t for s in scored]
        return _confusion(pred, gold)["balanced_accuracy"]

    grid = [round(0.3 + 0.02 * i, 2) for i in range(31)]
    best = max(bal(t) for t in grid)
    assert bal(DEFAULT_THRESHOLD) >= best - 0.005
    assert bal(DEFAULT_THRESHOLD - 0.05) >= best - 0.01  # not on a knife edge
    assert bal(DEFAULT_THRESHOLD + 0.04) >= best - 0.01


def test_dev_pairs_kappa():
    rows = [json.loads(line) for line in DEV_PAIRS.read_text().splitlines() if line.strip()]
    pred = [support(r["claim"], r["passage"]).supported for r in rows]
    gold = [bool(r["supported"]) for r in rows]
    stats = _confusion(pred, gold)
    assert stats["kappa"] > 0.6, stats


# --- unit behaviour ---------------------------------------------------------------------------


def test_tokens_basic():
    assert tokens("The companies were running quickly!") == ["compani", "run", "quick"]
    assert tokens("Quark’s downloads exceeded 370,000,000") == [
        "quark",
        "download",
        "exceed",
        "370000000",
    ]
    assert tokens("It rose; it fell.") == ["rise", "fall"]


def test_tokens_cjk_bigrams_and_acronyms():
    assert tokens("阿里巴巴") == ["阿里", "里巴", "巴巴"]
    assert tokens("AI模型") == ["ai", "模型"]
    assert "us" in tokens("The U.S. economy")  # an acronym is not the pronoun "us"


def test_numbers_are_normalised():
    passage = "Downloads exceeded 370,000,000 by early 2024."
    assert support("Downloads exceeded 370 million by early 2024.", passage).supported
    assert not support("Downloads exceeded 380 million by early 2024.", passage).supported
    assert support("Sales grew 15 percent.", "Sales grew 15% last year.").supported
    assert not support("Sales grew 15% in 2023.", "Sales grew 15% in 2024.").supported


def test_hedged_claim_may_round():
    passage = "It paid a $2.8 billion antitrust fine in 2021."
    assert support("It paid a nearly $3 billion antitrust fine in 2021.", passage).supported
    assert not support("It paid a $3 billion antitrust fine in 2021.", passage).supported


def test_missing_items_are_named():
    s = support(
        "The DAMO Academy was founded in 2017 by Jack Ma.",
        "One smart move was establishing the Alibaba DAMO Academy, their R&D hub.",
    )
    assert not s.supported
    assert "2017" in s.missing and "Jack Ma" in s.missing
    assert unsupported_reason(s).startswith("missing: 2017, Jack Ma")


def test_acronym_expansion_both_ways():
    passage = "One smart move was establishing the Alibaba DAMO Academy, their R&D hub."
    assert support("The DAMO Academy is Alibaba's research and development hub.", passage).supported
    assert support(
        "The firm hired a new CEO.", "The firm hired a new chief executive officer."
    ).supported


def test_surname_satisfies_full_name_but_not_another_first_name():
    assert support(
        "Eddie Wu is the company's fourth CEO.", "Wu is the company's fourth CEO."
    ).supported
    passage = "Alibaba's founder Jack Ma criticised regulators."
    assert not support("Alibaba's founder Pony Ma criticised regulators.", passage).supported


def test_negation_mismatch():
    passage = "Despite the growing prominence of DeepSeek, Alibaba has opted not to invest in it."
    s = support("Alibaba invested in DeepSeek.", passage)
    assert not s.supported and s.conflicts
    assert support("Alibaba did not invest in DeepSeek.", passage).supported


def test_not_only_is_not_a_negation():
    passage = "The competition is not only about technology but also about talent."
    assert support("The competition is about talent.", passage).supported


def test_item_bound_to_other_words_in_passage():
    passage = (
        "The order is set to expire on Dec. 22, and a hearing for whether the halt should be "
        "made permanent is scheduled for Dec. 19."
    )
    assert support("A hearing is scheduled for Dec. 19.", passage).supported
    assert not support("The order expires on Dec. 19.", passage).supported
    assert not support("A hearing is scheduled for Dec. 22.", passage).supported


def test_citation_markers_are_ignored():
    passage = "Tesla didn't immediately respond to a request for comment."
    assert support(
        "Tesla did not immediately respond to a request for comment [3].", passage
    ).supported


def test_empty_inputs():
    assert isinstance(support("", "anything"), Support)
    assert not support("Alibaba was fined in 2021.", "").supported


def test_score_range_and_determinism():
    a = support("Quark had 370 million downloads.", P["C5"])
    b = support("Quark had 370 million downloads.", P["C5"])
    assert a == b
    assert 0.0 <= a.score <= 1.0


@pytest.mark.parametrize("threshold", [0.0, 1.0])
def test_threshold_bounds(threshold: float):
    s = support("Xu will oversee foundational research.", P["C2"], threshold=threshold)
    assert s.supported == (threshold == 0.0 or s.score >= 1.0)


def test_speed_on_a_300_word_passage():
    passage = " ".join([P["C1"], P["C2"], P["C4"], P["C5"], P["C21"]])
    assert 250 <= len(passage.split()) <= 400
    claims = [claim for _, _, claim in ALL[:200]]
    support(claims[0], passage)  # the passage analysis is cached after the first call
    t0 = time.perf_counter()
    for claim in claims:
        support(claim, passage)
    per_call = (time.perf_counter() - t0) / len(claims)
    assert per_call < 0.005, per_call  # well under 1 ms on a normal machine; lenient for CI


def test_codes_with_digits_are_required():
    s = support("Revenue rose 5% in Q2 2024.", "Revenue rose 5% in Q3 2024.")
    assert not s.supported and "Q2" in s.missing
    assert support("Airbus delivered the A350.", "Airbus delivered the A350 jets.").supported


def test_cjk_numbers_and_years():
    passage = "2021年，阿里巴巴因垄断被罚款182亿元。"
    assert support("阿里巴巴在2021年被罚款182亿元。", passage).supported
    s = support("阿里巴巴在2021年被罚款28亿美元。", passage)
    assert not s.supported and s.missing == ("28亿美元",)


def test_opposite_qualifiers_conflict():
    passage = "Quark’s annual downloads exceeded 370 million by early 2024."
    assert support("Quark had more than 370 million annual downloads.", passage).supported
    s = support("Quark had fewer than 370 million annual downloads.", passage)
    assert not s.supported and s.conflicts


def test_contrast_words_near_the_same_content():
    passage = "Net income fell 8% to $610 million, while revenue rose 12% to $4.2 billion."
    assert support("Revenue rose 12%.", passage).supported
    assert not support("Revenue fell 12%.", passage).supported
    assert not support("Net income rose 8%.", passage).supported
    s = support("Tongyi had 3.08 million daily active users.", P["C5"] + " " + DEV_MAU)
    assert not s.supported and any("daily" in c for c in s.conflicts)


DEV_MAU = "Tongyi saw its monthly active user count hit approximately 3.08 million."
