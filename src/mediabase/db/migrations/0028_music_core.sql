-- 0028_music_core: reserved; its owner is writing it.
SELECT 1;
