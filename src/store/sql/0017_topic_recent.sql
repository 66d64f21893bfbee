-- 0017_topic_recent: a topic's articles newest first from an index, so a
-- topic page reads one page of rows, not every row of its topic
-- (docs/internals/store.md, "Lists by index").
--
-- article_topic gets the article's published time, and the index
-- article_topic_recent orders a topic's rows as lists want them
-- (published DESC, article_id DESC). Triggers keep the copy right on
-- every path that writes topics or moves a publication time (put, an
-- editor's topics, a new version), in the same statement.

ALTER TABLE article_topic ADD COLUMN published INTEGER NOT NULL DEFAULT 0;

UPDATE article_topic SET published = (SELECT a.published FROM article a
                                      WHERE a.id = article_topic.article_id);

CREATE INDEX article_topic_recent ON article_topic(slug, published DESC, article_id DESC);

CREATE TRIGGER article_topic_published AFTER INSERT ON article_topic
BEGIN
    UPDATE article_topic SET published = (SELECT a.published FROM article a
                                          WHERE a.id = NEW.article_id)
    WHERE article_id = NEW.article_id AND rank = NEW.rank;
END;

CREATE TRIGGER article_published_topics AFTER UPDATE OF published ON article
WHEN OLD.published IS NOT NEW.published
BEGIN
    UPDATE article_topic SET published = NEW.published WHERE article_id = NEW.id;
END;
