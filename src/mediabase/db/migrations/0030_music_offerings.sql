-- 0030_music_offerings: reserved; its owner is writing it.
SELECT 1;
