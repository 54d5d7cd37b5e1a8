-- 0031_music_chain: reserved; its owner is writing it.
SELECT 1;
