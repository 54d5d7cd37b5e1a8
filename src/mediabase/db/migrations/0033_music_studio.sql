-- 0033_music_studio: reserved; its owner is writing it.
SELECT 1;
