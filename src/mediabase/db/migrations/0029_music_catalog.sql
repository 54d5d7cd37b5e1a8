-- 0029_music_catalog: reserved; its owner is writing it.
SELECT 1;
